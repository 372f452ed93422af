package io.s3lockproxy.server;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Told about every request once it ends (metrics, access log).
 *
 * <p>Called on the client channel's event loop: implementations must be thread-safe and must not
 * block. An exception thrown by one observer is logged and does not disturb the exchange.
 */
@FunctionalInterface
public interface RequestObserver {

    /** An observer that ignores every record. */
    RequestObserver NONE = r -> { };

    void requestEnded(RequestRecord record);

    /** Returns an observer that tells each of {@code observers} in turn. */
    static RequestObserver all(List<RequestObserver> observers) {
        List<RequestObserver> copy = List.copyOf(observers);
        Logger log = LoggerFactory.getLogger(RequestObserver.class);
        return record -> {
            for (RequestObserver o : copy) {
                try {
                    o.requestEnded(record);
                } catch (RuntimeException e) {
                    log.warn("request observer {} failed on request {}", o.getClass().getSimpleName(),
                            record.requestId(), e);
                }
            }
        };
    }
}
