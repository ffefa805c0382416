package io.tributary.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {
  private ServerSocket echo;
  private TcpProxy proxy;

  @BeforeEach
  void start() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              while (!echo.isClosed()) {
                try {
                  Socket s = echo.accept();
                  Thread c =
                      new Thread(
                          () -> {
                            try (s;
                                InputStream in = s.getInputStream();
                                OutputStream out = s.getOutputStream()) {
                              int b;
                              while ((b = in.read()) >= 0) {
                                out.write(b);
                                out.flush();
                              }
                            } catch (IOException e) {
                              // closed
                            }
                          });
                  c.setDaemon(true);
                  c.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    t.setDaemon(true);
    t.start();
    proxy = TcpProxy.start("echo", echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    s.setSoTimeout(2000);
    return s;
  }

  @Test
  void passesBytesHoldsThemWhileHangingAndDeliversThemAfter() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write('a');
      assertThat(s.getInputStream().read()).isEqualTo('a');

      proxy.mode(TcpProxy.Mode.HANG);
      s.getOutputStream().write('b');
      s.setSoTimeout(700);
      assertThatThrownBy(() -> s.getInputStream().read())
          .as("no byte and no reset while the network hangs")
          .isInstanceOf(SocketTimeoutException.class);

      proxy.mode(TcpProxy.Mode.OPEN);
      s.setSoTimeout(2000);
      assertThat(s.getInputStream().read()).isEqualTo('b');
    }
  }

  @Test
  void refusingResetsOpenConnectionsAndClosesNewOnes() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write('a');
      assertThat(s.getInputStream().read()).isEqualTo('a');
      proxy.mode(TcpProxy.Mode.REFUSE);
      assertThatThrownBy(
              () -> {
                s.getOutputStream().write('b');
                if (s.getInputStream().read() < 0) {
                  throw new IOException("closed");
                }
              })
          .isInstanceOf(IOException.class);
    }
    try (Socket s = connect()) {
      assertThatThrownBy(
              () -> {
                s.getOutputStream().write('c');
                if (s.getInputStream().read() < 0) {
                  throw new IOException("closed");
                }
              })
          .isInstanceOf(IOException.class);
    }
    proxy.mode(TcpProxy.Mode.OPEN);
    try (Socket s = connect()) {
      s.getOutputStream().write('d');
      assertThat(s.getInputStream().read()).isEqualTo('d');
    }
  }
}
