package io.s3lockproxy.config;

/**
 * Access-log settings.
 *
 * @param access  whether one line per request goes to the {@code s3lockproxy.access} logger
 * @param format  the line format
 */
public record LogConfig(boolean access, Format format) {

    /** How an access-log line is written. */
    public enum Format { TEXT, JSON }
}
