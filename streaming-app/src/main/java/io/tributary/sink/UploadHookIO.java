package io.tributary.sink;

import java.io.IOException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;

/**
 * A file IO that runs a hook before each upload, that is before an output stream's close (S3FileIO
 * uploads a file at its close): to make uploads slower in a benchmark, or to watch or fail them in
 * a test. Reads and deletes go to the wrapped IO unchanged.
 */
final class UploadHookIO implements FileIO {
  /** What runs before a file's upload; an exception fails the upload. */
  interface Hook {
    void beforeUpload(String location) throws IOException;
  }

  private final FileIO io;
  private final Hook hook;

  UploadHookIO(FileIO io, Hook hook) {
    this.io = io;
    this.hook = hook;
  }

  @Override
  public InputFile newInputFile(String path) {
    return io.newInputFile(path);
  }

  @Override
  public OutputFile newOutputFile(String path) {
    OutputFile file = io.newOutputFile(path);
    return new OutputFile() {
      @Override
      public PositionOutputStream create() {
        return hooked(file.create(), file.location());
      }

      @Override
      public PositionOutputStream createOrOverwrite() {
        return hooked(file.createOrOverwrite(), file.location());
      }

      @Override
      public String location() {
        return file.location();
      }

      @Override
      public InputFile toInputFile() {
        return file.toInputFile();
      }
    };
  }

  private PositionOutputStream hooked(PositionOutputStream out, String location) {
    return new PositionOutputStream() {
      @Override
      public long getPos() throws IOException {
        return out.getPos();
      }

      @Override
      public void write(int b) throws IOException {
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        hook.beforeUpload(location);
        out.close();
      }
    };
  }

  @Override
  public void deleteFile(String path) {
    io.deleteFile(path);
  }
}
