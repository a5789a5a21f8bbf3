package dev.sluice.mock;

/**
 * Input a caller must fix: a query parameter, a path segment, a control-API field or an option.
 * The message always starts with the field name ({@code failureRate: must be between 0 and 1})
 * so a test failure or a 400 body says at once what to change.
 */
final class BadInputException extends IllegalArgumentException {
  private final String field;

  BadInputException(String field, String reason) {
    // No stack trace: this is the caller's mistake, reported as data, never logged as a bug.
    super(field + ": " + reason, null);
    this.field = field;
  }

  String field() {
    return field;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
