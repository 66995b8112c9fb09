package dev.galeraagent.sim;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * One run of the real {@code BootstrapLoop} (an init container) on its own thread, but never concurrently with anything
 * else: the world hands it the baton, it runs until it sleeps, exits or is killed, and hands the baton back. So the
 * simulation stays deterministic while the loop's code runs unchanged, blocking sleeps included.
 */
final class LoopThread {
    /** Thrown inside the loop's thread to kill it at an interaction point or in its sleep: a crash of the init container. */
    static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed() {
            super("killed", null, false, false);
        }
    }

    enum State { RUNNING, SLEEPING, DONE }

    private final Semaphore resume = new Semaphore(0);
    private final Semaphore back = new Semaphore(0);
    private final Thread thread;
    private volatile boolean killed;
    volatile State state = State.RUNNING;
    volatile Object outcome;
    volatile Duration sleepFor;

    LoopThread(String name, Supplier<Object> body) {
        thread = new Thread(() -> {
            resume.acquireUninterruptibly();
            try {
                if (!killed) {
                    outcome = body.get();
                }
            } catch (Killed k) {
                outcome = k;
            } catch (RuntimeException | Error e) {
                outcome = e;
            } finally {
                state = State.DONE;
                back.release();
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Called by the loop's sleeper, in the loop's thread: gives the baton back until the world wakes it. */
    void sleep(Duration d) {
        sleepFor = d;
        state = State.SLEEPING;
        back.release();
        resume.acquireUninterruptibly();
        if (killed) {
            throw new Killed();
        }
        state = State.RUNNING;
    }

    /** Called at every interaction point, in the loop's thread. */
    void point() {
        if (killed) {
            throw new Killed();
        }
    }

    /** Runs the loop until it sleeps or ends; the caller (the world) blocks meanwhile. */
    void step() {
        if (state == State.DONE) {
            return;
        }
        resume.release();
        back.acquireUninterruptibly();
    }

    /** Marks the run killed; the next step ends it. */
    void kill() {
        killed = true;
        step();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean killedFlag() {
        return killed;
    }
}
