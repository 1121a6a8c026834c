package io.engram.api.problems;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Makes the API's one {@link ObjectMapper} bind request bodies strictly: a value is accepted only
 * in the JSON type its field declares. Without it a number or boolean is read as a string, {@code
 * 2.5} as the integer 2, {@code "5"} as 5 and {@code ["x"]} as {@code "x"}, so a malformed request
 * is answered as if it were a different, valid one.
 *
 * <p>Beyond types: unknown fields and duplicate keys are refused (a misspelt optional field would
 * otherwise be ignored silently), so are null elements of a list, and every string is checked for
 * NUL characters and unpaired UTF-16 surrogates, which PostgreSQL cannot store and would otherwise
 * fail on deep inside a request (see {@link CleanText}). Each failure carries the path of the
 * offending field; {@link ProblemJsonErrorBodyProvider} turns it into a 400 problem that names the
 * field.
 */
@Singleton
class StrictJson implements BeanCreatedEventListener<ObjectMapper> {

  @Override
  public ObjectMapper onCreated(BeanCreatedEvent<ObjectMapper> event) {
    return configure(event.getBean());
  }

  /** Applies the strict binding rules to {@code mapper} and returns it. */
  static ObjectMapper configure(ObjectMapper mapper) {
    mapper.enable(
        DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
        DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS,
        DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    mapper.disable(
        DeserializationFeature.ACCEPT_FLOAT_AS_INT,
        DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
        DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS,
        DeserializationFeature.ACCEPT_EMPTY_STRING_AS_NULL_OBJECT,
        DeserializationFeature.ACCEPT_EMPTY_ARRAY_AS_NULL_OBJECT,
        DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL,
        DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE);
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    // An element of a list is never null: {"scopes":[null]} is not a list of scopes. (A map's
    // values may be: a null tag value removes the tag.)
    JsonSetter.Value noNullElements = JsonSetter.Value.forContentNulls(Nulls.FAIL);
    for (Class<?> container : List.of(Collection.class, List.class, Set.class)) {
      mapper.configOverride(container).setSetterInfo(noNullElements);
    }

    // No scalar is read as another: the input shapes below fail wherever they do not match.
    mapper.coercionConfigDefaults().setAcceptBlankAsEmpty(false);
    for (LogicalType type : LogicalType.values()) {
      var config = mapper.coercionConfigFor(type);
      config.setAcceptBlankAsEmpty(false);
      for (CoercionInputShape shape : CoercionInputShape.values()) {
        if (!accepts(type, shape)) {
          config.setCoercion(shape, CoercionAction.Fail);
        }
      }
    }
    mapper.registerModule(
        new SimpleModule("engram-strict-strings")
            .addDeserializer(String.class, new CleanStrings()));
    return mapper;
  }

  /**
   * The input shapes a type is read from without coercion: a number for an integer only when it is
   * integral, any JSON number for a floating-point field. Everything else (a string for a number, a
   * number for a string or a boolean, an empty string or array for an object) fails.
   */
  private static boolean accepts(LogicalType type, CoercionInputShape shape) {
    return switch (type) {
      case Float -> shape == CoercionInputShape.Integer || shape == CoercionInputShape.Float;
      default -> false;
    };
  }

  /** Reads a string only from a JSON string, and only a string PostgreSQL can store. */
  static final class CleanStrings extends StdScalarDeserializer<String> {
    CleanStrings() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (!p.hasToken(JsonToken.VALUE_STRING)) {
        return (String) ctxt.handleUnexpectedToken(String.class, p);
      }
      String text = p.getText();
      Optional<String> defect = CleanText.defect(text);
      if (defect.isPresent()) {
        throw InvalidFormatException.from(p, defect.get(), text, String.class);
      }
      return text;
    }

    @Override
    public LogicalType logicalType() {
      return LogicalType.Textual;
    }
  }
}
