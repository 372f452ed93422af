package io.s3lockproxy.server;

import io.s3lockproxy.config.LogConfig;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the SLF4J logger {@code s3lockproxy.access}, as text or as a JSON object.
 *
 * <p>The line holds the access key id and nothing else of the credentials: no Authorization
 * header, no query string (presigned URLs carry their signature and credential there), no secret.
 * logback.xml writes the line as it is ({@code %msg%n}); the time is part of the line.
 *
 * <pre>
 * text: 2026-01-05T10:15:30.123Z request=6F4C0E2B51A9D3E7 accessKey=AKIDEXAMPLE op=PUT_OBJECT method=PUT bucket=photos key="a/b.jpg" status=200 in=1048576 out=0 totalMs=41 lockWaitMs=0
 * json: {"time":"…","requestId":"…","accessKey":"…","operation":"PUT_OBJECT","method":"PUT","bucket":"photos","key":"a/b.jpg","status":200,"aborted":false,"bytesIn":1048576,"bytesOut":0,"totalMs":41,"lockWaitMs":0,"upstreamError":null}
 * </pre>
 */
public final class AccessLog implements RequestObserver {
    /** The logger name; logback.xml gives it its own appender. */
    public static final String LOGGER = "s3lockproxy.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final LogConfig.Format format;
    /** The time up to the second, formatted once per second: Instant.toString showed in profiles. */
    private volatile Second second = new Second(Long.MIN_VALUE, "");

    private record Second(long epochSecond, String text) {
    }

    public AccessLog(LogConfig.Format format) {
        this.format = format;
    }

    @Override
    public void requestEnded(RequestRecord r) {
        if (LOG.isInfoEnabled()) {
            LOG.info(format(r, Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        }
    }

    /** Returns the line for {@code r} at {@code time}. */
    String format(RequestRecord r, Instant time) {
        String at = timestamp(time);
        return format == LogConfig.Format.JSON ? json(r, at) : text(r, at);
    }

    /** ISO-8601 in UTC with milliseconds, always three digits of them. */
    private String timestamp(Instant time) {
        Second s = second;
        if (s.epochSecond() != time.getEpochSecond()) {
            s = new Second(time.getEpochSecond(), DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                    LocalDateTime.ofEpochSecond(time.getEpochSecond(), 0, ZoneOffset.UTC)));
            second = s;
        }
        int millis = time.getNano() / 1_000_000;
        return s.text() + (millis < 10 ? ".00" : millis < 100 ? ".0" : ".") + millis + 'Z';
    }

    private static String text(RequestRecord r, String time) {
        StringBuilder b = new StringBuilder(200);
        b.append(time).append(" request=").append(r.requestId())
                .append(" accessKey=").append(r.accessKeyId() == null ? "-" : quotedIfNeeded(r.accessKeyId()))
                .append(" op=").append(r.operation())
                .append(" method=").append(r.method())
                .append(" bucket=").append(r.bucket() == null ? "-" : quotedIfNeeded(r.bucket()))
                .append(" key=").append(r.key() == null ? "-" : quoted(r.key()))
                .append(" status=").append(r.status() == 0 ? "-" : Integer.toString(r.status()));
        if (r.aborted()) {
            b.append(" aborted");
        }
        b.append(" in=").append(r.bytesIn())
                .append(" out=").append(r.bytesOut())
                .append(" totalMs=").append(r.totalMillis())
                .append(" lockWaitMs=").append(r.lockWaitMillis());
        if (r.upstreamError() != null) {
            b.append(" upstreamError=").append(r.upstreamError().name());
        }
        return b.toString();
    }

    private static String json(RequestRecord r, String time) {
        StringBuilder b = new StringBuilder(260).append('{');
        field(b, "time", time).append(',');
        field(b, "requestId", r.requestId()).append(',');
        field(b, "accessKey", r.accessKeyId()).append(',');
        field(b, "operation", r.operation()).append(',');
        field(b, "method", r.method()).append(',');
        field(b, "bucket", r.bucket()).append(',');
        field(b, "key", r.key()).append(',');
        b.append("\"status\":").append(r.status() == 0 ? "null" : Integer.toString(r.status())).append(',');
        b.append("\"aborted\":").append(r.aborted()).append(',');
        b.append("\"bytesIn\":").append(r.bytesIn()).append(',');
        b.append("\"bytesOut\":").append(r.bytesOut()).append(',');
        b.append("\"totalMs\":").append(r.totalMillis()).append(',');
        b.append("\"lockWaitMs\":").append(r.lockWaitMillis()).append(',');
        field(b, "upstreamError", r.upstreamError() == null ? null : r.upstreamError().name());
        return b.append('}').toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":");
        return value == null ? b.append("null") : jsonString(b, value);
    }

    /** Appends {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
    static StringBuilder jsonString(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    private static String quoted(String s) {
        return jsonString(new StringBuilder(s.length() + 2), s).toString();
    }

    /** Plain when the value is a simple token, else a quoted string (a line stays one line). */
    private static String quotedIfNeeded(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) {
                return quoted(s);
            }
        }
        return s.isEmpty() ? "\"\"" : s;
    }
}
