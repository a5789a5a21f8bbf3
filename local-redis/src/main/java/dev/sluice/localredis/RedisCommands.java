package dev.sluice.localredis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Sends one command to a redis-server on 127.0.0.1 over a fresh socket and reads its RESP2 reply,
 * blocking (bounded by socket timeouts): how {@link LocalRedisCluster} and {@link LocalSentinelSet}
 * set up and watch their servers without {@code redis-cli}, which a machine with only a JDK lacks.
 *
 * <p>Replies: a simple or bulk string is a {@link String} (a null bulk is null), an integer a
 * {@link Long}, an array a {@link List}; an error reply throws {@link RedisErrorReply}.
 */
final class RedisCommands {
  private static final int CONNECT_TIMEOUT_MS = 1_000;
  /** Setup commands are cheap; a server that takes this long is stuck, not slow. */
  private static final int READ_TIMEOUT_MS = 10_000;

  private RedisCommands() {
  }

  static Object call(int port, List<String> command) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      out.write(encode(command));
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException("redis on port " + port + ": " + String.join(" ", head(command)), e);
    }
  }

  static Object call(int port, String... command) {
    return call(port, List.of(command));
  }

  /** {@code INFO <section>} (or {@code CLUSTER INFO}) as its {@code name:value} lines. */
  static Map<String, String> infoFields(String info) {
    return info.lines()
        .filter(line -> line.indexOf(':') > 0 && !line.startsWith("#"))
        .collect(Collectors.toMap(line -> line.substring(0, line.indexOf(':')),
            line -> line.substring(line.indexOf(':') + 1).trim(), (a, b) -> b));
  }

  /** A flat {@code [name, value, name, value, …]} reply (e.g. {@code SENTINEL MASTER}) as a map. */
  static Map<String, String> pairs(Object reply) {
    List<?> flat = (List<?>) reply;
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      map.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
    }
    return map;
  }

  private static byte[] encode(List<String> command) {
    StringBuilder resp = new StringBuilder().append('*').append(command.size()).append("\r\n");
    for (String arg : command) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      resp.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
    }
    return resp.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = readLine(in);
    return switch (type) {
      case '+' -> line;
      case '-' -> throw new RedisErrorReply(line);
      case ':' -> Long.parseLong(line);
      case '$' -> bulk(in, Integer.parseInt(line));
      case '*' -> array(in, Integer.parseInt(line));
      case -1 -> throw new EOFException("connection closed before a reply");
      default -> throw new IOException("not a RESP2 reply: " + (char) type + line);
    };
  }

  private static String bulk(InputStream in, int length) throws IOException {
    if (length < 0) {
      return null;
    }
    byte[] bytes = in.readNBytes(length);
    if (bytes.length < length) {
      throw new EOFException("bulk string cut short");
    }
    readLine(in);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static List<Object> array(InputStream in, int size) throws IOException {
    if (size < 0) {
      return null;
    }
    List<Object> items = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      items.add(read(in));
    }
    return items;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\r'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("connection closed mid-reply");
      }
      line.write(b);
    }
    in.read(); // '\n'
    return line.toString(StandardCharsets.UTF_8);
  }

  private static List<String> head(List<String> command) {
    return command.subList(0, Math.min(3, command.size())); // CLUSTER ADDSLOTS has thousands of args
  }

  /** The server answered with an error ({@code -ERR …}, {@code -MOVED …}). */
  static final class RedisErrorReply extends IllegalStateException {
    RedisErrorReply(String message) {
      super(message);
    }
  }
}
