package io.s3lockproxy.it;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What an SDK call came to: success, or status and error code. Used where the backend may
 * reject an operation and the proxy must relay exactly what the backend said.
 */
public record Outcome(int status, String code) {
    public static final Outcome OK = new Outcome(200, "OK");

    public static Outcome of(Runnable call) {
        try {
            call.run();
            return OK;
        } catch (S3Exception e) {
            return new Outcome(e.statusCode(), e.awsErrorDetails().errorCode());
        } catch (SdkClientException e) {
            return new Outcome(-1, "ClientError: " + e.getMessage());
        }
    }

    public boolean ok() {
        return this.equals(OK);
    }
}
