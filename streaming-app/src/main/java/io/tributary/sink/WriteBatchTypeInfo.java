package io.tributary.sink;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink type information for {@link WriteBatch}. */
public final class WriteBatchTypeInfo extends TypeInformation<WriteBatch> {
  private static final long serialVersionUID = 1L;

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<WriteBatch> getTypeClass() {
    return WriteBatch.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  @SuppressWarnings("deprecation")
  public TypeSerializer<WriteBatch> createSerializer(ExecutionConfig config) {
    return new WriteBatchSerializer();
  }

  @Override
  public String toString() {
    return "WriteBatch";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof WriteBatchTypeInfo;
  }

  @Override
  public int hashCode() {
    return WriteBatchTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof WriteBatchTypeInfo;
  }
}
