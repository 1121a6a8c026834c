package io.engram.cli;

import java.io.Console;
import java.util.Optional;

/**
 * The person at the terminal, for the commands that ask before they do something that cannot be
 * undone. Without a terminal (a pipe, a script, CI) there is nobody to ask.
 */
interface Terminal {

  /** The answer to {@code prompt}; empty when no terminal is attached or input has ended. */
  Optional<String> ask(String prompt);

  /** The process's console, when it has one. */
  static Terminal system() {
    return prompt -> {
      Console console = System.console();
      return console == null ? Optional.empty() : Optional.ofNullable(console.readLine(prompt));
    };
  }
}
