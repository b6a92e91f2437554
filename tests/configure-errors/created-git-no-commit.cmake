# A git work tree without a commit yet, made here.
find_package(Git REQUIRED)
set(repo "${CMAKE_CURRENT_BINARY_DIR}/repo")
file(WRITE "${repo}/CMakeLists.txt" "add_container_image(img CREATED GIT)\n")
execute_process(COMMAND "${GIT_EXECUTABLE}" init -q "${repo}"
  COMMAND_ERROR_IS_FATAL ANY)
add_subdirectory("${repo}" repo-build)
