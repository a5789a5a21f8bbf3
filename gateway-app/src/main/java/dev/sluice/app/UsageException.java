package dev.sluice.app;

/** A command line the user must fix: printed as one line with the usage, exit code 2. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message, null, false, false);
  }
}
