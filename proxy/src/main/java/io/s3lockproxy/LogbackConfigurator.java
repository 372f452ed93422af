package io.s3lockproxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The proxy's logging, set up in code rather than from {@code logback.xml}: parsing XML loaded
 * some 600 classes and took a third of the start-up time. A {@code -Dlogback.configurationFile}
 * or a {@code logback-test.xml} on the class path still wins.
 *
 * <ul>
 *   <li>the root logger at {@code -Ds3lp.logLevel} (default INFO) on stdout, one line per event;</li>
 *   <li>the access log ({@code s3lockproxy.access}) on stdout as written, through a queue of 8,192
 *       lines that a background thread writes a few milliseconds' worth at a time
 *       ({@link BatchedLineAppender}), so an event loop never waits on a slow stdout (a line is
 *       dropped only when the queue is full);</li>
 *   <li>the AWS SDK at WARN, Netty at INFO.</li>
 * </ul>
 */
public final class LogbackConfigurator extends ContextAwareBase implements Configurator {
    private static final String LINE = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{20} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || getClass().getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty("s3lp.logLevel"), Level.INFO));
        root.addAppender(console(context, "STDOUT", LINE));

        BatchedLineAppender access = new BatchedLineAppender();
        access.setContext(context);
        access.setName("ACCESS");
        access.start();
        Logger accessLog = context.getLogger("s3lockproxy.access");
        accessLog.setLevel(Level.INFO);
        accessLog.setAdditive(false);
        accessLog.addAppender(access);

        context.getLogger("software.amazon.awssdk").setLevel(Level.WARN);
        context.getLogger("io.netty").setLevel(Level.INFO);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}
