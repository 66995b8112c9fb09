package dev.galeraagent.kube;

import java.time.Instant;

/**
 * One Event the agent recorded, as read back by {@code agent status}.
 *
 * @param pod     the involved Pod's name
 * @param reason  the Event's reason ({@link EventReason#reason()}), as read: an older or newer agent may use others
 * @param type    {@code Normal} or {@code Warning}
 * @param time    {@code lastTimestamp}, else {@code firstTimestamp}, else the creation time; null if none parsed
 */
public record AgentEvent(String pod, String reason, String type, String message, Instant time) {
}
