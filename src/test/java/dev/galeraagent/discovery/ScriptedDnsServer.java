package dev.galeraagent.discovery;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;

/**
 * A real UDP DNS server on a loopback address whose answers a test scripts: for the n-th query
 * (counting from 1) it returns a response, or null to stay silent. It plays the failures dnsmasq
 * cannot be made to show on demand: a server that never answers, SERVFAIL, an answer after a few
 * silent tries.
 */
final class ScriptedDnsServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final AtomicInteger queries = new AtomicInteger();

    ScriptedDnsServer(String address, BiFunction<Message, Integer, Message> script) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
        thread = Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[4096];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    Message query = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
                    Message response = script.apply(query, queries.incrementAndGet());
                    if (response != null) {
                        byte[] wire = response.toWire();
                        socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                    }
                } catch (SocketException closed) {
                    return;
                } catch (IOException e) {
                    // a malformed packet: ignore it, as a server would
                }
            }
        });
    }

    /** A response to {@code query} with this rcode and no records. */
    static Message reply(Message query, int rcode) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RD);
        response.getHeader().setFlag(Flags.RA);
        response.getHeader().setRcode(rcode);
        response.addRecord(query.getQuestion(), Section.QUESTION);
        return response;
    }

    String server() {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    int queries() {
        return queries.get();
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
