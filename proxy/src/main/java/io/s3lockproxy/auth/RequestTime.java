package io.s3lockproxy.auth;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The time a request was signed at.
 *
 * @param instant    the time
 * @param timestamp  the same time in ISO 8601 basic form ({@code 20150830T123600Z}), as it enters the string to sign
 */
record RequestTime(Instant instant, String timestamp) {
    private static final DateTimeFormatter BASIC = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'");
    /** Returns the time in an {@code x-amz-date} value ({@code 20150830T123600Z}), or null when malformed. */
    static RequestTime parseAmzDate(String value) {
        // Parsed by hand: it is on every request's path, and DateTimeFormatter showed in profiles.
        if (value == null || value.length() != 16 || value.charAt(8) != 'T' || value.charAt(15) != 'Z') {
            return null;
        }
        try {
            Instant instant = LocalDateTime.of(digits(value, 0, 4), digits(value, 4, 6), digits(value, 6, 8),
                    digits(value, 9, 11), digits(value, 11, 13), digits(value, 13, 15)).toInstant(ZoneOffset.UTC);
            return new RequestTime(instant, value);
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    private static int digits(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException(s);
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** Returns the time in an HTTP {@code Date} header (RFC 1123), or null when malformed. */
    static RequestTime parseHttpDate(String value) {
        if (value == null) {
            return null;
        }
        try {
            Instant instant = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return new RequestTime(instant, BASIC.format(instant.atOffset(ZoneOffset.UTC)));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Returns the scope date {@code yyyyMMdd} this time belongs to. */
    String date() {
        return timestamp.substring(0, 8);
    }
}
