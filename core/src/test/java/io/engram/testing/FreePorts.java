package io.engram.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Hands out loopback TCP ports that are free at the time of the call. */
public final class FreePorts {

  /**
   * Ports already handed out in this JVM. The operating system may return the same ephemeral port
   * twice in a row once the probe socket is closed, and two services started from one JVM must
   * never be told to bind the same port.
   */
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private static final int MAX_ATTEMPTS = 50;

  private FreePorts() {}

  /**
   * Returns a port on 127.0.0.1 that nothing listens on right now.
   *
   * <p>Another process may still grab the port before the caller binds it, so servers started on
   * such a port should retry with a new one when binding fails.
   */
  public static synchronized int next() {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      int port = probe();
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException(
        "Could not find an unused TCP port on 127.0.0.1 after "
            + MAX_ATTEMPTS
            + " attempts: check for processes holding many ports (ss -ltnp)");
  }

  private static int probe() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not open a probe socket on 127.0.0.1", e);
    }
  }
}
