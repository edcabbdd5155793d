package io.homeport.reload;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reload on SIGHUP, the Unix convention for "re-read your configuration". Uses {@code
 * sun.misc.Signal} through reflection: it is not a standard API (javac warns about it in a way no
 * annotation silences), and where it is missing or the JVM refuses the signal (-Xrs, Windows) the
 * gateway only loses this trigger.
 */
final class SighupTrigger implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(SighupTrigger.class);

    private final Method handle;
    private final Object signal;
    private final Object previous;

    private SighupTrigger(Method handle, Object signal, Object previous) {
        this.handle = handle;
        this.signal = signal;
        this.previous = previous;
    }

    /** Installs a SIGHUP handler that runs {@code onSignal}; empty when signals are unavailable. */
    static Optional<SighupTrigger> install(Runnable onSignal) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance("HUP");
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    new Handler(onSignal));
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object previous = handle.invoke(null, signal, handler);
            return Optional.of(new SighupTrigger(handle, signal, previous));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            logger.info("SIGHUP reload not available ({}); reload with POST /reload or by changing the files", cause.toString());
            return Optional.empty();
        }
    }

    /** Puts back the handler that was there before. */
    @Override
    public void close() {
        try {
            handle.invoke(null, signal, previous);
        } catch (ReflectiveOperationException | RuntimeException e) {
            logger.debug("restoring the previous SIGHUP handler failed", e);
        }
    }

    /** The proxy's behaviour: {@code handle(Signal)} runs the callback; Object methods act as identity. */
    private static final class Handler implements InvocationHandler {
        private final Runnable onSignal;

        Handler(Runnable onSignal) {
            this.onSignal = onSignal;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "handle":
                    onSignal.run();
                    return null;
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    return "homeport SIGHUP reload";
            }
        }
    }
}
