package io.engram.testing;

import io.engram.core.CoreServices;
import io.engram.core.Hashing;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexVersion;
import io.engram.core.ingestion.DocumentIndexes;
import io.engram.core.ingestion.Documents;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelBundle;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.retrieval.RetrievalSettings;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.training.LabelledSet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * A small labelled corpus for the model lifecycle's tests: one passage per animal saying where it
 * lives, indexed in the champion index version with real embeddings, and a labelled set whose query
 * {@code q<i>} asks where animal {@code i} lives and judges passage {@code a<i>} relevant. Large
 * enough to pass a retraining's data check (about 56 fitting and 14 held-out queries).
 */
public final class ZooCorpus {
  public static final String[] ANIMALS = {
    "aardvark",
    "albatross",
    "alpaca",
    "anteater",
    "armadillo",
    "baboon",
    "badger",
    "barracuda",
    "beaver",
    "bison",
    "bobcat",
    "buffalo",
    "camel",
    "capybara",
    "caribou",
    "cheetah",
    "chinchilla",
    "cobra",
    "condor",
    "coyote",
    "crocodile",
    "dingo",
    "dolphin",
    "dugong",
    "eagle",
    "echidna",
    "eland",
    "elephant",
    "emu",
    "falcon",
    "ferret",
    "flamingo",
    "gazelle",
    "gecko",
    "gibbon",
    "giraffe",
    "gorilla",
    "hedgehog",
    "heron",
    "hippopotamus",
    "hyena",
    "ibex",
    "iguana",
    "impala",
    "jackal",
    "jaguar",
    "kangaroo",
    "koala",
    "lemur",
    "leopard",
    "llama",
    "lynx",
    "macaw",
    "manatee",
    "meerkat",
    "mongoose",
    "moose",
    "narwhal",
    "ocelot",
    "okapi",
    "orangutan",
    "ostrich",
    "otter",
    "panda",
    "pangolin",
    "pelican",
    "penguin",
    "porcupine",
    "puma",
    "raccoon"
  };

  /** The question the corpus answers about animal {@code i} (taken round the list). */
  public static String question(int i) {
    return "where does the " + ANIMALS[i % ANIMALS.length] + " live";
  }

  private static final String[] HABITATS = {
    "dry savanna", "cold tundra", "high mountains", "tropical rainforest", "open desert",
    "river deltas", "coastal waters", "temperate woodland", "salt marshes", "frozen coasts"
  };

  private ZooCorpus() {}

  /** Indexes one passage per animal into {@code collection} and registers its version 1. */
  public static void index(CoreServices core, String collection) {
    core.collections().ensure(collection);
    for (int i = 0; i < ANIMALS.length; i++) {
      add(core, collection, "a" + i, passage(i));
    }
    core.bootstrapRegistry();
  }

  /**
   * Indexes the zoo into {@code collection} as version 1 (champion) and registers a dense-only,
   * unreranked version 2 on the same index, staged: the candidate the rollout tests roll out.
   */
  public static void indexWithStagedCandidate(CoreServices core, String collection) {
    index(core, collection);
    ModelRegistry registry = core.registry();
    RegisteredVersion v1 = registry.alias(collection, ModelAliases.CHAMPION).orElseThrow();
    registry.register(
        ModelVersions.NewVersion.builder(
                collection,
                v1.indexVersionId(),
                new ModelBundle(
                    v1.bundle()
                        .retrieval()
                        .withMode(RetrievalSettings.Mode.DENSE)
                        .withRerank(false),
                    v1.bundle().reranker(),
                    "extractive"))
            .gates(List.of())
            .createdBy("it")
            .reason("a dense-only candidate")
            .origin("it-" + collection)
            .build(),
        List.of(ModelAliases.STAGING),
        new ModelRegistry.Change("it", "staged for the test", null));
  }

  public static String passage(int i) {
    return String.format(
        Locale.ROOT,
        "The %s is found in %s, where it spends most of the day foraging.",
        ANIMALS[i],
        HABITATS[i % HABITATS.length]);
  }

  /** Indexes one document with its passage, as ingestion would. */
  public static void add(CoreServices core, String collection, String id, String text) {
    IndexVersion index = core.champion();
    float[] vector = EmbeddingModels.get(index.embeddingModel()).embed(text).content().vector();
    core.jdbi()
        .useTransaction(
            h -> {
              long doc =
                  Documents.storeIndexed(
                      h,
                      new Documents.Source(
                          collection,
                          collection + "#" + id,
                          collection,
                          id,
                          Hashing.sha256(text.getBytes(StandardCharsets.UTF_8))),
                      null,
                      "text/plain");
              PgVectorChunkStore.replaceChunks(h, doc, index.id(), List.of(text), List.of(vector));
              DocumentIndexes.record(h, doc, index.id(), "h-" + id, 1);
            });
  }

  /** The labelled set asking where each animal lives, stored as blobs. */
  public static LabelledSet labelled(CoreServices core) {
    return labelled(core, "zoo", ANIMALS.length, ZooCorpus::question);
  }

  /** A labelled set of {@code n} queries: q{i} with {@code text}, judging a{i} relevant. */
  public static LabelledSet labelled(
      CoreServices core, String dataset, int n, IntFunction<String> text) {
    StringBuilder jsonl = new StringBuilder();
    StringBuilder qrels = new StringBuilder("query-id\tcorpus-id\tscore\n");
    for (int i = 0; i < n; i++) {
      jsonl.append("{\"_id\": \"q").append(i).append("\", \"text\": \"").append(text.apply(i));
      jsonl.append("\"}\n");
      qrels.append("q").append(i).append("\ta").append(i).append("\t1\n");
    }
    return new LabelledSet(
        dataset, "train", store(core, jsonl.toString()), store(core, qrels.toString()));
  }

  /** Stores {@code text} as a blob; returns its SHA-256. */
  public static String store(CoreServices core, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    String sha = Hashing.sha256(bytes);
    core.blobs().put(sha, bytes);
    return sha;
  }
}
