// Entry point of Tributary's Glue jobs. Glue 5 starts a script, not a main class of a jar: this object
// is that script. The glue-compat jar is on the classpath (--extra-jars); the main class to run is named
// by --tributary-main-class, and it receives every argument except Glue's own reserved ones.

object TributaryGlueLauncher {

  // Arguments Glue adds or consumes itself; they are not options of the Tributary jobs.
  private val Reserved: Set[String] = Set(
    "--JOB_ID", "--JOB_RUN_ID", "--JOB_NAME", "--SECURITY_CONFIGURATION", "--TempDir",
    "--job-bookmark-option", "--job-language", "--class", "--extra-jars", "--extra-files",
    "--extra-py-files", "--user-jars-first", "--datalake-formats", "--conf", "--enable-metrics",
    "--enable-continuous-cloudwatch-log", "--enable-continuous-log-filter", "--enable-spark-ui",
    "--spark-event-logs-path", "--enable-glue-datacatalog", "--enable-job-insights",
    "--enable-observability-metrics", "--enable-auto-scaling", "--encryption-type",
    "--continuous-log-logGroup", "--continuous-log-logStreamPrefix", "--redshift-tmp-dir"
  )

  private val MainClassArg = "--tributary-main-class"

  def main(sysArgs: Array[String]): Unit = {
    var mainClass: Option[String] = None
    val forwarded = scala.collection.mutable.ArrayBuffer.empty[String]
    var i = 0
    while (i < sysArgs.length) {
      val key = sysArgs(i)
      val value = if (i + 1 < sysArgs.length && !sysArgs(i + 1).startsWith("--")) Some(sysArgs(i + 1)) else None
      if (key == MainClassArg) {
        mainClass = value
      } else if (!Reserved.contains(key)) {
        forwarded += key
        value.foreach(forwarded += _)
      }
      i += (if (value.isDefined) 2 else 1)
    }
    val target = mainClass.getOrElse(
      throw new IllegalArgumentException(
        s"$MainClassArg is missing: set it in the Glue job's default arguments, for example " +
          "io.tributary.maintenance.MaintenanceJob"))
    val method = Class.forName(target).getMethod("main", classOf[Array[String]])
    try method.invoke(null, forwarded.toArray)
    catch {
      case e: java.lang.reflect.InvocationTargetException => throw e.getCause
    }
  }
}
