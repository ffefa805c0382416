package io.tributary.change;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Flink type information for {@link ChangeEvent}, backed by {@link ChangeEventSerializer}. */
public final class ChangeEventTypeInfo {
  /** The one instance. */
  public static final TypeInformation<ChangeEvent> INSTANCE =
      new SerializerTypeInfo<>(ChangeEvent.class, ChangeEventSerializer::new);

  private ChangeEventTypeInfo() {}
}
