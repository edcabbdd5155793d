package io.homeport.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.proxy.Drain;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A drain sends an HTTP/2 connection GOAWAY (Netty's graceful close), through the gateway's h2 pipeline. */
class Http2DrainTest {

    static final int GOAWAY = 0x7;

    @Test
    void theDrainEventEndsTheConnectionWithGoaway() {
        EmbeddedChannel channel = new EmbeddedChannel(Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new Http2IdleCloser());
        drainOutbound(channel); // the server's SETTINGS
        assertThat(channel.isOpen()).isTrue();

        channel.pipeline().fireUserEventTriggered(Drain.Event.STARTED);
        channel.runPendingTasks();

        assertThat(frameTypes(drainOutbound(channel))).contains(GOAWAY);
        assertThat(channel.isOpen()).as("no stream in flight: closed after the GOAWAY").isFalse();
    }

    @Test
    void otherEventsPassThrough() {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new Http2IdleCloser(), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object event) {
                seen.add(event);
            }
        });
        channel.pipeline().fireUserEventTriggered("something else");
        assertThat(seen).containsExactly("something else");
        assertThat(channel.isOpen()).isTrue();
    }

    private static ByteBuf drainOutbound(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            all.writeBytes(out);
            out.release();
        }
        return all;
    }

    /** The frame types in a run of HTTP/2 frames (9-byte headers: length, type, flags, stream). */
    private static List<Integer> frameTypes(ByteBuf frames) {
        List<Integer> types = new ArrayList<>();
        while (frames.readableBytes() >= 9) {
            int length = frames.readUnsignedMedium();
            types.add((int) frames.readUnsignedByte());
            frames.skipBytes(1 + 4 + length);
        }
        frames.release();
        return types;
    }
}
