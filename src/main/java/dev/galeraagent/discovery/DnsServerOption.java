package dev.galeraagent.discovery;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import org.xbill.DNS.SimpleResolver;

/** {@code --dns-server HOST[:PORT]}: the one parser of the option; every bad value is a one-line usage error. */
final class DnsServerOption {
    private DnsServerOption() {
    }

    /**
     * Parses {@code HOST[:PORT]}: an IPv4 address or a host name, or an IPv6 address as {@code [::1]:5353}
     * (a bare IPv6 address without port is accepted too). The port defaults to 53.
     */
    static InetSocketAddress parse(String hostPort) {
        String host = hostPort;
        int port = SimpleResolver.DEFAULT_PORT;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw usage(hostPort, "missing ']'");
            }
            host = hostPort.substring(1, close);
            String rest = hostPort.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw usage(hostPort, "expected ':' and a port after ']'");
                }
                port = parsePort(hostPort, rest.substring(1));
            }
        } else if (hostPort.indexOf(':') >= 0 && hostPort.indexOf(':') == hostPort.lastIndexOf(':')) {
            host = hostPort.substring(0, hostPort.indexOf(':'));
            port = parsePort(hostPort, hostPort.substring(hostPort.indexOf(':') + 1));
        }
        if (host.isEmpty()) {
            throw usage(hostPort, "no host");
        }
        try {
            if (host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
                return new InetSocketAddress(InetAddress.ofLiteral(host), port);
            }
            DnsNames.requireName("DNS server host", host.toLowerCase(Locale.ROOT));
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (IllegalArgumentException e) {
            throw usage(hostPort, "not an IP address or host name");
        } catch (UnknownHostException e) {
            throw new AgentException(ExitCode.ENVIRONMENT, "--dns-server " + DnsNames.quote(hostPort) + ": cannot resolve " + host);
        }
    }

    private static int parsePort(String hostPort, String port) {
        try {
            int p = Integer.parseInt(port);
            if (p >= 1 && p <= 65535 && port.chars().allMatch(Character::isDigit)) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw usage(hostPort, "port " + DnsNames.quote(port) + " is not a number from 1 to 65535");
    }

    private static AgentException usage(String hostPort, String why) {
        return new AgentException(ExitCode.USAGE, "--dns-server " + DnsNames.quote(hostPort) + ": " + why + " (expected HOST[:PORT])");
    }
}
