package io.engram.api.problems;

import io.engram.contract.Problem;
import io.engram.contract.Problem.InvalidField;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Validates the elements of a list field of a request body. Bean Validation would cascade into them
 * through {@code List<@Valid T>}, but the contract records are compiled in another module and on
 * Java 17 the annotation processor cannot see type-use annotations of compiled classes, so the
 * elements' constraints are checked here, by the same validator, with the same problem.
 */
@Singleton
public class ElementValidator {
  private final Validator validator;

  ElementValidator(Validator validator) {
    this.validator = validator;
  }

  /**
   * Validates each of {@code elements} (null means none).
   *
   * @param pointer the list's JSON pointer, e.g. {@code /files}
   * @throws ApiProblem a 400 naming every invalid field, e.g. {@code /files/3/sha256}
   */
  public void validate(String pointer, List<?> elements) {
    if (elements == null) {
      return;
    }
    List<InvalidField> invalid = new ArrayList<>();
    for (int i = 0; i < elements.size(); i++) {
      for (ConstraintViolation<?> v : validator.validate(elements.get(i))) {
        invalid.add(
            new InvalidField(
                pointer + "/" + i + InvalidFields.pointer(v.getPropertyPath()), v.getMessage()));
      }
    }
    if (!invalid.isEmpty()) {
      invalid.sort(Comparator.comparing(InvalidField::pointer));
      Problem problem = Problems.invalid(400, "Bad Request", invalid);
      throw new ApiProblem(problem);
    }
  }
}
