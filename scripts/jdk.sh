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
  cat >&2 <<'EOF'
error: building galera-agent needs a JDK 25, and none was found (JAVA_HOME, /usr/lib/jvm/temurin-25-jdk*,
       /usr/lib/jvm/java-25-openjdk-amd64). Debian 12 packages none. As root, install Eclipse Temurin 25
       from Adoptium's apt repository (README.md, "A JDK 25 on Debian 12"):

         apt-get install -y wget gpg && install -d -m 0755 /etc/apt/keyrings
         wget -qO- https://packages.adoptium.net/artifactory/api/gpg/key/public | gpg --dearmor -o /etc/apt/keyrings/adoptium.gpg
         echo "deb [signed-by=/etc/apt/keyrings/adoptium.gpg] https://packages.adoptium.net/artifactory/deb bookworm main" > /etc/apt/sources.list.d/adoptium.list
         apt-get update && apt-get install -y temurin-25-jdk

       or set JAVA_HOME to a JDK 25 you have. Then run this again.
EOF
  return 1
}
