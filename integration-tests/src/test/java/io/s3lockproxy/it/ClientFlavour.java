package io.s3lockproxy.it;

import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;

/** The two ways an SDK v2 client uploads: its defaults, or checksums only where required. */
public enum ClientFlavour {
    /** SDK defaults (WHEN_SUPPORTED): uploads use aws-chunked bodies with a checksum trailer. */
    DEFAULTS(RequestChecksumCalculation.WHEN_SUPPORTED),
    /** {@code requestChecksumCalculation(WHEN_REQUIRED)}: plain bodies with a payload hash. */
    WHEN_REQUIRED(RequestChecksumCalculation.WHEN_REQUIRED);

    private final RequestChecksumCalculation calculation;

    ClientFlavour(RequestChecksumCalculation calculation) {
        this.calculation = calculation;
    }

    public RequestChecksumCalculation calculation() {
        return calculation;
    }
}
