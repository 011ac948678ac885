package io.epiphany.systemtests.fleet;

/** One host of a {@link RealOsFleet}: its hostname (UTS namespace) and its address on the fleet's bridge. */
public record FleetHost(String hostname, String ip) {
}
