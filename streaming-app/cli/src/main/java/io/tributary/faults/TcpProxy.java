package io.tributary.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP forwarder on 127.0.0.1 between the job and one server (the source database, the S3 server,
 * the catalog database), through which the fault matrix cuts the network:
 *
 * <ul>
 *   <li>{@link Mode#OPEN}: bytes flow both ways;
 *   <li>{@link Mode#REFUSE}: every open connection is reset and new ones are closed at once, as a
 *       server that went away;
 *   <li>{@link Mode#HANG}: connections stay open and new ones are accepted, but no byte is passed
 *       on in either direction: a network that silently drops packets, with no reset.
 * </ul>
 */
public final class TcpProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);

  /** What the proxy does with connections. */
  public enum Mode {
    OPEN,
    REFUSE,
    HANG
  }

  private final String name;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private volatile Mode mode = Mode.OPEN;
  private volatile boolean closed;

  private TcpProxy(String name, int targetPort, ServerSocket server) {
    this.name = name;
    this.targetPort = targetPort;
    this.server = server;
  }

  /** Starts a proxy to {@code 127.0.0.1:targetPort} on a free port. */
  public static TcpProxy start(String name, int targetPort) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    TcpProxy proxy = new TcpProxy(name, targetPort, server);
    Thread acceptor = new Thread(proxy::accept, "proxy-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
    return proxy;
  }

  /** The port the job connects to. */
  public int port() {
    return server.getLocalPort();
  }

  public String name() {
    return name;
  }

  public Mode mode() {
    return mode;
  }

  /** Changes the mode; {@link Mode#REFUSE} resets every open connection. */
  public void mode(Mode next) {
    LOG.info("Proxy {} (127.0.0.1:{} -> {}): {}", name, port(), targetPort, next);
    synchronized (gate) {
      mode = next;
      gate.notifyAll();
    }
    if (next == Mode.REFUSE) {
      for (Socket s : sockets) {
        reset(s);
      }
    }
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("Proxy {} stopped accepting", name, e);
        }
        return;
      }
      if (mode == Mode.REFUSE) {
        reset(client);
        continue;
      }
      Thread t = new Thread(() -> connect(client), "proxy-" + name + "-connect");
      t.setDaemon(true);
      t.start();
    }
  }

  private void connect(Socket client) {
    sockets.add(client);
    Socket upstream = new Socket();
    try {
      awaitFlowing();
      if (mode == Mode.REFUSE) {
        throw new SocketException("refused");
      }
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
      sockets.add(upstream);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      Thread up = new Thread(() -> pump(client, upstream), "proxy-" + name + "-up");
      up.setDaemon(true);
      up.start();
      pump(upstream, client);
    } catch (IOException | InterruptedException e) {
      reset(client);
      reset(upstream);
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        awaitFlowing();
        if (mode == Mode.REFUSE) {
          break;
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the other side went away, or the proxy reset the connection
    } finally {
      reset(from);
      reset(to);
    }
  }

  /** Blocks while the proxy hangs, holding the bytes read so far. */
  private void awaitFlowing() throws InterruptedException {
    synchronized (gate) {
      while (mode == Mode.HANG && !closed) {
        gate.wait(1000);
      }
    }
  }

  private void reset(Socket s) {
    sockets.remove(s);
    try {
      if (s.isConnected() && !s.isClosed()) {
        s.setSoLinger(true, 0); // RST, not FIN: the peer sees the connection break
      }
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (gate) {
      gate.notifyAll();
    }
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : sockets) {
      reset(s);
    }
  }
}
