package io.engram.api.problems;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.engram.contract.Problem.InvalidField;
import io.micronaut.core.bind.exceptions.UnsatisfiedArgumentException;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.core.type.Argument;
import io.micronaut.http.annotation.Body;
import io.micronaut.web.router.exceptions.UnsatisfiedRouteException;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads which fields of a request were wrong, and what was expected there, out of the exceptions
 * that binding and validation throw: Jackson's (with the path of the field), Bean Validation's
 * (with the property path), and Micronaut's for missing or unconvertible parameters. A pointer is a
 * JSON pointer into the body ({@code /files/0/sha256}; empty for the body as a whole) or the name
 * of a query or path parameter.
 */
final class InvalidFields {
  private InvalidFields() {}

  /** The invalid fields {@code failure} (or one of its causes) names; empty when it names none. */
  static List<InvalidField> of(Throwable failure) {
    // The body's own failures (Jackson's, Bean Validation's) say more than Micronaut's wrappers
    // around them, which only know the controller's argument.
    List<InvalidField> found = first(failure, InvalidFields::inBody);
    return found.isEmpty() ? first(failure, InvalidFields::inParameter) : found;
  }

  private static List<InvalidField> first(
      Throwable failure, Function<Throwable, List<InvalidField>> reader) {
    Set<Throwable> seen = new HashSet<>();
    for (Throwable t = failure; t != null && seen.add(t); t = next(t)) {
      List<InvalidField> found = reader.apply(t);
      if (!found.isEmpty()) {
        return found;
      }
    }
    return List.of();
  }

  /** The cause, where Micronaut's conversion errors keep it apart from the exception's own. */
  private static Throwable next(Throwable t) {
    if (t instanceof ConversionErrorException e && e.getConversionError().getCause() != null) {
      return e.getConversionError().getCause();
    }
    return t.getCause();
  }

  private static List<InvalidField> inBody(Throwable t) {
    if (t instanceof ConstraintViolationException e) {
      return e.getConstraintViolations().stream()
          .map(v -> new InvalidField(pointer(v.getPropertyPath()), v.getMessage()))
          .sorted(Comparator.comparing(InvalidField::pointer).thenComparing(InvalidField::detail))
          .toList();
    }
    if (t instanceof JsonParseException e) {
      var location = e.getLocation();
      String where =
          location == null
              ? ""
              : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
      return List.of(new InvalidField("", "is not valid JSON: " + e.getOriginalMessage() + where));
    }
    if (t instanceof JsonMappingException e) {
      return List.of(new InvalidField(pointer(e.getPath()), expectation(e)));
    }
    return List.of();
  }

  private static List<InvalidField> inParameter(Throwable t) {
    if (t instanceof UnsatisfiedRouteException e) {
      return List.of(missing(e.getArgument()));
    }
    if (t instanceof UnsatisfiedArgumentException e) {
      return List.of(missing(e.getArgument()));
    }
    if (t instanceof ConversionErrorException e) {
      Object sent = e.getConversionError().getOriginalValue().orElse(null);
      return List.of(new InvalidField(e.getArgument().getName(), expected(e.getArgument(), sent)));
    }
    return List.of();
  }

  /**
   * What a parameter expects, for a value {@code sent} that did not convert: a whole number too
   * large for its type says the bound, its own constraint's ({@code @Min}, {@code @Max}) where it
   * has one, which "expected an integer" would not.
   */
  private static String expected(Argument<?> argument, Object sent) {
    Class<?> type = argument.getType();
    String expected = "expected " + kind(type);
    boolean integral = type == int.class || type == Integer.class;
    if (!integral && type != long.class && type != Long.class) {
      return expected;
    }
    if (sent == null || !WHOLE_NUMBER.matcher(sent.toString()).matches()) {
      return expected;
    }
    var annotations = argument.getAnnotationMetadata();
    if (sent.toString().startsWith("-")) {
      long least =
          annotations
              .longValue(Min.class, "value")
              .orElse(integral ? Integer.MIN_VALUE : Long.MIN_VALUE);
      return expected + ", at least " + least;
    }
    long most =
        annotations
            .longValue(Max.class, "value")
            .orElse(integral ? Integer.MAX_VALUE : Long.MAX_VALUE);
    return expected + ", at most " + most;
  }

  private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]+");

  private static InvalidField missing(Argument<?> argument) {
    return argument.getAnnotationMetadata().hasAnnotation(Body.class)
        ? new InvalidField("", "a JSON object is required")
        : new InvalidField(argument.getName(), "is required");
  }

  private static String expectation(JsonMappingException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      Set<String> known = new TreeSet<>();
      u.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
      return "is not a field of this request; the fields are " + known;
    }
    if (e.getCause() instanceof InputCoercionException c && c.getTargetType() != null) {
      return "expected " + kind(c.getTargetType()) + ", got one out of its range";
    }
    if (e instanceof ValueInstantiationException) {
      return "is not a valid value here";
    }
    if (e instanceof InvalidFormatException f && f.getTargetType() == String.class) {
      // A defect of the text itself (see CleanText.defect): its message says which.
      return e.getOriginalMessage();
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return "expected " + kind(m.getTargetType());
    }
    if (e.getCause() instanceof JsonParseException p) {
      // Bytes that are not text inside a value, e.g. a string that is not valid UTF-8.
      return "cannot be read: " + p.getOriginalMessage() + "; send the body as UTF-8 JSON";
    }
    return "is not valid here";
  }

  /** What a value of {@code type} looks like in JSON, for a message. */
  static String kind(Class<?> type) {
    if (type == String.class || type == char.class || type == Character.class) {
      return "a string";
    }
    if (type == int.class
        || type == Integer.class
        || type == long.class
        || type == Long.class
        || type == short.class
        || type == Short.class) {
      return "an integer";
    }
    if (type == double.class
        || type == Double.class
        || type == float.class
        || type == Float.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type.isEnum()) {
      List<String> names = new ArrayList<>();
      for (Object constant : type.getEnumConstants()) {
        names.add(wireName((Enum<?>) constant));
      }
      return "one of " + names;
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "an object";
    }
    return "a " + type.getSimpleName();
  }

  private static String wireName(Enum<?> constant) {
    try {
      JsonProperty property =
          constant.getDeclaringClass().getField(constant.name()).getAnnotation(JsonProperty.class);
      return property == null || property.value().isEmpty() ? constant.name() : property.value();
    } catch (NoSuchFieldException e) {
      return constant.name();
    }
  }

  private static String pointer(List<JsonMappingException.Reference> path) {
    StringBuilder pointer = new StringBuilder();
    for (JsonMappingException.Reference reference : path) {
      pointer.append('/');
      pointer.append(
          reference.getFieldName() != null
              ? escape(reference.getFieldName())
              : Integer.toString(reference.getIndex()));
    }
    return pointer.toString();
  }

  /**
   * A violation's property path as a JSON pointer: the method and the body parameter are left out,
   * a query or path parameter is named as it is.
   */
  static String pointer(Path path) {
    List<Path.Node> nodes = new ArrayList<>();
    path.forEach(nodes::add);
    List<Path.Node> fields =
        nodes.stream()
            .filter(n -> n.getKind() != ElementKind.METHOD && n.getKind() != ElementKind.PARAMETER)
            .toList();
    if (fields.isEmpty()) {
      // A constraint on a parameter itself, e.g. @Max on a query value.
      Path.Node last = nodes.get(nodes.size() - 1);
      return last.getName() == null ? "" : last.getName();
    }
    StringBuilder pointer = new StringBuilder();
    for (Path.Node node : fields) {
      if (node.isInIterable()) {
        Object at = node.getIndex() != null ? node.getIndex() : node.getKey();
        if (at != null) {
          pointer.append('/').append(escape(String.valueOf(at)));
        }
      }
      if (node.getKind() != ElementKind.CONTAINER_ELEMENT && node.getName() != null) {
        pointer.append('/').append(escape(node.getName()));
      }
    }
    return pointer.toString();
  }

  /** RFC 6901: {@code ~} and {@code /} inside a name are escaped. */
  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
