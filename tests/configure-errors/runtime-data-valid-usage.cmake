# What programs read at run time, STRIP and CREATED; the defaults.
add_container_image(defaults)

# Every keyword with values: CA files made absolute (a generator expression
# as given), duplicates dropped. The project enables no language, so a stand-in
# for CMake's strip program.
set(CMAKE_STRIP "${CMAKE_COMMAND}")
add_container_image(data
  CA_CERTIFICATES certs/company-ca.pem /etc/extra//ca.pem
                  "$<1:/opt/certs/genex.pem>" certs/../certs/company-ca.pem
  TZDATA
  LOCALES C.UTF-8 de_DE.UTF-8 en_US.utf8 sr_RS@latin C.UTF-8
  ICONV UTF-16LE ISO_8859-1:1987 "ISO-10646/UCS2/" UTF-16LE
  STRIP
  CREATED 2024-02-29T23:59:59.5+02:00)
unset(CMAKE_STRIP)

# CA_CERTIFICATES without files (the sysroot's bundle only), before another
# keyword and last; ICONV ALL; EPOCH, the default, written out.
add_container_image(bundle CA_CERTIFICATES ICONV ALL CREATED EPOCH)
add_container_image(bundle-last TZDATA CREATED 2024-05-01T12:00:00Z
  CA_CERTIFICATES)

# CREATED GIT in a git work tree made here, with a fixed commit time.
find_package(Git REQUIRED)
set(repo "${CMAKE_CURRENT_BINARY_DIR}/repo")
file(WRITE "${repo}/CMakeLists.txt" "add_container_image(from-git CREATED GIT)\n")
set(ENV{GIT_AUTHOR_DATE} "1714564800 +0000")
set(ENV{GIT_COMMITTER_DATE} "1714564800 +0000")
foreach(git_args IN ITEMS "init;-q" "add;CMakeLists.txt"
    "-c;user.name=ocipack;-c;user.email=ocipack@example.com;-c;commit.gpgsign=false;commit;-q;-m;fixed")
  execute_process(COMMAND "${GIT_EXECUTABLE}" ${git_args}
    WORKING_DIRECTORY "${repo}" COMMAND_ERROR_IS_FATAL ANY)
endforeach()
add_subdirectory("${repo}" repo-build)
