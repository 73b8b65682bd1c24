package io.eventsearch.search.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.eventsearch.storage.DataVersion;

/** A cached answer is written from its bytes once, then from one shared off-heap copy of the same bytes. */
class LoadedTest {

    private static final byte[] BODY = "{\"data\":{\"events\":[]},\"error\":null}".getBytes(StandardCharsets.UTF_8);
    private static final DataVersion VERSION = new DataVersion(7, Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void aCacheableAnswerIsSharedFromItsSecondUse() {
        SearchCache.Loaded loaded = new SearchCache.Loaded(BODY, VERSION, true);
        assertThat(loaded.entity()).isSameAs(BODY);
        Object second = loaded.entity();
        assertThat(second).isInstanceOf(ResponseBody.Shared.class);
        assertThat(loaded.entity()).isSameAs(second);
        ResponseBody.Shared shared = (ResponseBody.Shared) second;
        assertThat(shared.size()).isEqualTo(BODY.length);
        // every write takes a slice: reading it leaves the shared copy whole for the next answer
        assertThat(shared.buffer().getBytes()).isEqualTo(BODY);
        assertThat(shared.buffer().getBytes()).isEqualTo(BODY);
    }

    @Test
    void anAnswerThatIsNotKeptIsAlwaysItsBytes() {
        SearchCache.Loaded loaded = new SearchCache.Loaded(BODY, VERSION, false);
        assertThat(loaded.entity()).isSameAs(BODY);
        assertThat(loaded.entity()).isSameAs(BODY);
    }

    @Test
    void aComposedAnswerIsWrittenIntoTheResponseAndKeptAsItsBytes() {
        ResponseBody.Composed composed = new ResponseBody.Composed(BODY.length, out -> out.writeBytes(BODY),
                () -> io.netty.buffer.Unpooled.wrappedBuffer(BODY));
        SearchCache.Loaded loaded = SearchCache.Loaded.composed(composed, VERSION);
        assertThat(loaded.entity()).isSameAs(composed);
        assertThat(loaded.body()).isEqualTo(BODY);
        assertThat(loaded.cacheable()).isTrue();
        SearchCache.Loaded kept = loaded.kept();
        assertThat(kept.entity()).isEqualTo(BODY);
        assertThat(kept.entity()).isInstanceOf(ResponseBody.Shared.class);
    }

    @Test
    void aComposedAnswerThatWritesAnotherSizeThanItSaidIsRefused() {
        ResponseBody.Composed wrong = new ResponseBody.Composed(BODY.length + 1, out -> out.writeBytes(BODY),
                () -> io.netty.buffer.Unpooled.wrappedBuffer(BODY));
        org.assertj.core.api.Assertions.assertThatThrownBy(wrong::bytes).isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(wrong::buffer).isInstanceOf(IllegalStateException.class);
    }
}
