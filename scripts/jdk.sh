# Sourced by the project's scripts: selects a JDK 25 through JAVA_HOME or fails with a clear message.
select_jdk25() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk /usr/lib/jvm/java-25-openjdk-amd64; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    if "$candidate/bin/java" -version 2>&1 | grep -q 'version "25'; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "error: galera-agent needs a JDK 25 (Temurin 25 was expected at /usr/lib/jvm/temurin-25-jdk-amd64)." >&2
  echo "       Install one and set JAVA_HOME to it, then run this again." >&2
  return 1
}
