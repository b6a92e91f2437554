add_subdirectory(add-directories-other-directory)
