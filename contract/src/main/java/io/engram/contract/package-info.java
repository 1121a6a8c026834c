/**
 * The wire contract of Engram's HTTP API: every request and response body as a plain record, one
 * file per capability. The API binds and returns these records and its OpenAPI document is
 * generated from them; the CLI reads the API's answers into the same records, so a field one side
 * sends and the other does not know fails to compile instead of passing unnoticed.
 *
 * <p>Constraints ({@code jakarta.validation}) are part of the contract: the API enforces them and
 * the OpenAPI document shows them. Optional request fields are nullable wrappers; absent and {@code
 * null} mean the same.
 *
 * <p>A workflow whose result the API passes on unchanged returns the record itself (the workflows
 * module depends on this one for that), so such a record is a Temporal payload as well: workflow
 * histories hold its JSON, and a change to it must keep recorded histories readable.
 */
package io.engram.contract;
