package io.s3lockproxy.it;

/** What the client of a chaos op knows about whether its write landed. */
enum ChaosOutcome {
    /** 200: the write is committed and must stay in the chain. */
    ACK,
    /** 4xx, or 502/503 (the proxy promises those mean nothing was written): the write must never land. */
    REFUSED,
    /** 500, 504, no answer, a broken connection, or the client walked away itself: it may or may not have landed. */
    UNKNOWN;

    /** Status -1 stands for no answer at all. */
    static ChaosOutcome of(int status) {
        if (status == 200) {
            return ACK;
        }
        if (status >= 400 && status < 500 || status == 502 || status == 503) {
            return REFUSED;
        }
        return UNKNOWN;
    }
}
