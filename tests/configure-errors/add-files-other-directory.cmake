add_subdirectory(add-files-other-directory)
