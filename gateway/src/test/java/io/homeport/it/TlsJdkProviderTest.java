package io.homeport.it;

/** {@link TlsTest} again with the JDK's TLS provider, the fallback where OpenSSL does not load. */
class TlsJdkProviderTest extends TlsTest {

    @Override
    String provider() {
        return "jdk";
    }
}
