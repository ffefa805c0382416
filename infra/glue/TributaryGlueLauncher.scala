// Entry point of Tributary's Glue jobs. Glue 5 starts a script, not a main class of a jar: this object
// is that script. The glue-compat jar is on the classpath (--extra-jars); the main class to run is named
// by --tributary-main-class, and it receives every other argument: the job's argument parser
// (io.tributary.glue.GlueArguments in glue-compat) drops those of Glue itself and fails on unknown ones.

object TributaryGlueLauncher {

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
      } else {
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
