{{- define "engram.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "engram.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "engram.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "engram.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "engram.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "engram.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: engram
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "api") */}}
{{- define "engram.selectorLabels" -}}
app.kubernetes.io/name: {{ include "engram.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image reference: (dict "root" $ "image" .Values.api.image) */}}
{{- define "engram.image" -}}
{{- $registry := .root.Values.image.registry -}}
{{- $tag := .image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $registry) .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "engram.configName" -}}
{{- printf "%s-config" (include "engram.fullname" .) -}}
{{- end -}}

{{/* The Secret holding the database password and, when set, the LLM's API key. */}}
{{- define "engram.dbSecretName" -}}
{{- .Values.database.existingSecret | default (include "engram.fullname" .) -}}
{{- end -}}

{{- define "engram.llmSecretName" -}}
{{- .Values.llm.existingSecret | default (include "engram.fullname" .) -}}
{{- end -}}

{{- define "engram.llmKeyPresent" -}}
{{- if or .Values.llm.existingSecret .Values.llm.apiKey -}}true{{- end -}}
{{- end -}}

{{- define "engram.metricsSecretName" -}}
{{- .Values.metrics.existingSecret | default (include "engram.fullname" .) -}}
{{- end -}}

{{- define "engram.metricsTokenPresent" -}}
{{- if or .Values.metrics.existingSecret .Values.metrics.token -}}true{{- end -}}
{{- end -}}

{{/* Credentials as environment variables, from Secrets. */}}
{{- define "engram.secretEnv" -}}
- name: ENGRAM_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "engram.dbSecretName" . }}
      key: {{ .Values.database.passwordKey }}
{{- if include "engram.llmKeyPresent" . }}
- name: ENGRAM_LLM_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "engram.llmSecretName" . }}
      key: {{ .Values.llm.apiKeyKey }}
{{- end }}
{{- end -}}

{{/*
The scraper's token, which the API's /prometheus and the workers' /metrics admit in profile prod:
(dict "root" $ "optional" bool). The workers take it optionally, so a Secret without the key leaves
their metrics refused (the target shows down) rather than keeping them from starting.
*/}}
{{- define "engram.metricsTokenEnv" -}}
{{- $root := .root -}}
{{- if include "engram.metricsTokenPresent" $root }}
- name: ENGRAM_METRICS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "engram.metricsSecretName" $root }}
      key: {{ $root.Values.metrics.tokenKey }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/*
Fails on a credential among KEY: value settings: (dict "root" $ "settings" map "where" "config").
A key ending in PASSWORD, API_KEY, TOKEN or SECRET, in any case, is one: it belongs in a Secret,
not in a ConfigMap or a pod spec's plain env. The message names the Secret's key the chart reads.
*/}}
{{- define "engram.refuseCredentials" -}}
{{- $where := .where -}}
{{- $values := .root.Values -}}
{{- $secrets := dict
  "ENGRAM_DB_PASSWORD" (printf "database.password, or key %q of database.existingSecret" $values.database.passwordKey)
  "ENGRAM_LLM_API_KEY" (printf "llm.apiKey, or key %q of llm.existingSecret" $values.llm.apiKeyKey)
  "ENGRAM_METRICS_TOKEN" (printf "metrics.token, or key %q of metrics.existingSecret" $values.metrics.tokenKey) -}}
{{- range $k, $v := .settings -}}
{{- $key := upper $k -}}
{{- if or (hasSuffix "PASSWORD" $key) (hasSuffix "API_KEY" $key) (hasSuffix "TOKEN" $key) (hasSuffix "SECRET" $key) -}}
{{- with get $secrets $key -}}
{{- fail (printf "%s.%s is a credential: put it in the Secret (%s), not in plain settings" $where $k .) -}}
{{- else -}}
{{- fail (printf "%s.%s is a credential: keep it in a Secret, not in plain settings (the chart reads only ENGRAM_DB_PASSWORD, ENGRAM_LLM_API_KEY and ENGRAM_METRICS_TOKEN from one)" $where $k) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
KEY: value settings as container env entries: (dict "root" $ "settings" map "where" "api.config").
*/}}
{{- define "engram.envMap" -}}
{{- include "engram.refuseCredentials" . -}}
{{- range $k, $v := .settings }}
- name: {{ $k }}
  value: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{- define "engram.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "engram.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Probes on a named port: (dict "probes" .Values.api.probes "port" "http") */}}
{{- define "engram.probes" -}}
{{- $port := .port -}}
{{- range $kind := list "startup" "liveness" "readiness" }}
{{- with index $.probes $kind }}
{{ printf "%sProbe" $kind }}:
  httpGet:
    path: {{ .path }}
    port: {{ $port }}
  periodSeconds: {{ .periodSeconds }}
  failureThreshold: {{ .failureThreshold }}
  timeoutSeconds: {{ .timeoutSeconds | default 5 }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Pod checksums: pods restart when the settings or the chart's Secret change. */}}
{{- define "engram.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}

{{/* Every worker group with the defaults under it, validated. */}}
{{- define "engram.workerGroups" -}}
{{- $known := list "ingest" "training" "maintenance" "llm" -}}
{{- $polled := list -}}
{{- $names := list -}}
{{- $groups := list -}}
{{- range .Values.worker.groups -}}
{{- $g := mergeOverwrite (deepCopy $.Values.worker.defaults) (deepCopy .) -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" (toString $g.name)) -}}
{{- fail (printf "worker.groups: name %q must be a DNS label" (toString $g.name)) -}}
{{- end -}}
{{- if has $g.name $names -}}
{{- fail (printf "worker.groups: two groups are named %q; each is a Deployment, HPA and budget named after it, so names must differ" $g.name) -}}
{{- end -}}
{{- $names = append $names $g.name -}}
{{- if not $g.taskQueues -}}
{{- fail (printf "worker.groups[%s]: taskQueues is empty" $g.name) -}}
{{- end -}}
{{- range $g.taskQueues -}}
{{- if not (has . $known) -}}
{{- fail (printf "worker.groups[%s]: %q is not a task queue (%s)" $g.name . (join ", " $known)) -}}
{{- end -}}
{{- $polled = append $polled . -}}
{{- end -}}
{{- $groups = append $groups $g -}}
{{- end -}}
{{- range $known -}}
{{- if not (has . $polled) -}}
{{- fail (printf "worker.groups: no group polls task queue %q" .) -}}
{{- end -}}
{{- end -}}
{{- toJson (dict "groups" $groups) -}}
{{- end -}}
