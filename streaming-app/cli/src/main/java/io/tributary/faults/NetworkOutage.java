package io.tributary.faults;

import java.time.Duration;
import java.util.function.Function;

/**
 * A service cut off for a while: its forwarder refuses connections, or drops everything without a
 * reset (a hung network).
 */
final class NetworkOutage implements FaultInjection {
  private final Function<FaultContext, TcpProxy> proxy;
  private final TcpProxy.Mode mode;
  private final Duration length;

  /**
   * @param proxy the forwarder of the service cut off
   * @param mode how it is cut off
   * @param length how long
   */
  NetworkOutage(Function<FaultContext, TcpProxy> proxy, TcpProxy.Mode mode, Duration length) {
    this.proxy = proxy;
    this.mode = mode;
    this.length = length;
  }

  @Override
  public void inject(FaultContext c) throws Exception {
    c.outage(proxy.apply(c), mode, length);
  }
}
