package io.epiphany.api;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IP and CIDR parsing without name resolution (a hostname given where an IP belongs must not trigger DNS). */
final class Addresses {
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");
    private static final Pattern HOST_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private Addresses() {}

    /** The address when {@code text} is an IPv4 or IPv6 literal. */
    static Optional<InetAddress> parseIp(String text) {
        if (text == null) {
            return Optional.empty();
        }
        boolean v4 = IPV4.matcher(text).matches();
        boolean v6 = !v4 && text.contains(":") && IPV6_CHARS.matcher(text).matches();
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text)); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** A parsed CIDR block. */
    static final class Cidr {
        final BigInteger first;
        final BigInteger last;
        final int bits;

        Cidr(BigInteger first, BigInteger last, int bits) {
            this.first = first;
            this.last = last;
            this.bits = bits;
        }

        boolean overlaps(Cidr o) {
            return bits == o.bits && first.compareTo(o.last) <= 0 && o.first.compareTo(last) <= 0;
        }

        boolean contains(InetAddress a) {
            BigInteger v = new BigInteger(1, a.getAddress());
            return a.getAddress().length * 8 == bits && first.compareTo(v) <= 0 && v.compareTo(last) <= 0;
        }
    }

    /** Empty when {@code text} is not {@code ip/prefix} with the host bits zero. */
    static Optional<Cidr> parseCidr(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        Optional<InetAddress> ip = parseIp(text.substring(0, slash));
        String prefixText = text.substring(slash + 1);
        if (ip.isEmpty() || !prefixText.matches("\\d{1,3}")) {
            return Optional.empty();
        }
        int bits = ip.get().getAddress().length * 8;
        int prefix = Integer.parseInt(prefixText);
        if (prefix > bits) {
            return Optional.empty();
        }
        BigInteger value = new BigInteger(1, ip.get().getAddress());
        BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
        if (!value.and(hostMask).equals(BigInteger.ZERO)) {
            return Optional.empty();
        }
        return Optional.of(new Cidr(value, value.or(hostMask), bits));
    }

    /** RFC 1123 hostname in lower case, as Kubernetes node names must be. */
    static boolean isHostname(String text) {
        if (text == null || text.isEmpty() || text.length() > 253) {
            return false;
        }
        for (String label : text.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }
}
