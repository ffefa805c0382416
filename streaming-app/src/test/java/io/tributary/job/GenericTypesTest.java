package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.sink.TableCommit;
import io.tributary.sink.TableCommitSerializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.Test;

/**
 * With the job's setting ({@link TributaryJob#forbidGenericTypes}), a record type that would travel
 * between operators through Kryo stops the job when its graph is built, before anything runs.
 */
class GenericTypesTest {

  /** A record with no type information of its own: Flink would serialize it with Kryo. */
  static final class Opaque {
    final long value;

    Opaque(long value) {
      this.value = value;
    }
  }

  @Test
  void aRecordThatNeedsKryoFailsTheBuildOfTheGraph() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    TributaryJob.forbidGenericTypes(env);
    env.fromData(1L, 2L, 3L)
        .map(Opaque::new)
        .returns(TypeInformation.of(Opaque.class))
        .setParallelism(2)
        .sinkTo(new DiscardingSink<>())
        .setParallelism(1);
    assertThatThrownBy(env::getStreamGraph)
        .hasStackTraceContaining("Generic types have been disabled")
        .hasStackTraceContaining(Opaque.class.getName());
  }

  @Test
  void theCommitsTravelWithTheirOwnSerializer() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    TributaryJob.forbidGenericTypes(env);
    env.fromData(1L, 2L, 3L)
        .map(id -> new TableCommit("public.orders", id, id, 1, 0, 0, 0, 0))
        .returns(TableCommitSerializer.typeInfo())
        .setParallelism(2)
        .sinkTo(new DiscardingSink<>())
        .setParallelism(1);
    StreamGraph graph = env.getStreamGraph();
    assertThat(graph.getStreamNodes()).isNotEmpty();
    // Without the job's setting, the same record type would have fallen back to Kryo silently.
    assertThat(TypeInformation.of(TableCommit.class).getClass().getSimpleName())
        .isEqualTo("GenericTypeInfo");
  }
}
