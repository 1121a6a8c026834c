package io.engram.api.problems;

import io.engram.contract.Problem;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documents in the OpenAPI document that every operation of a controller answers a refusal (4XX) or
 * a failure (5XX) with a {@link Problem} body, as {@link Problems} builds them.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ApiResponse(
    responseCode = "4XX",
    description = "Refused: the problem's detail says what was wrong and what to do",
    content =
        @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@ApiResponse(
    responseCode = "5XX",
    description = "Failed on the server (the detail quotes the request id) or unavailable",
    content =
        @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public @interface ProblemResponses {}
