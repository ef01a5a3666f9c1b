# The installed layout and the Debian package (./tau package: cpack -G DEB in the build folder).
#   /usr/bin/tau, tau-explorer, tau-figures        the programs (tau hands export and report to tau-figures)
#   /usr/share/tau-explorer/configs                 the presets (tau train NAME, the GUI's Presets menu)
#   /usr/share/tau-explorer/tools                   the converter of the original repository's checkpoints
#   /usr/share/tau-explorer/python/tau_explorer     the NumPy reader for notebooks
#   /usr/share/applications, metainfo, icons        desktop integration (ID io.github.tau_explorer.TauExplorer)
#   /usr/share/man/man1                             tau.1, tau-explorer.1 (help2man, from the programs' --help)
#   /usr/share/doc/tau-explorer                     README, LICENSE, the third-party licence list

include(GNUInstallDirs)
set(CMAKE_INSTALL_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/tau-explorer)
set(TAU_APP_ID io.github.tau_explorer.TauExplorer)
set(TAU_DATA ${CMAKE_INSTALL_DATADIR}/tau-explorer)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/ DESTINATION ${TAU_DATA}/configs
        FILES_MATCHING PATTERN "*.yaml" PATTERN "*.json")
install(PROGRAMS ${PROJECT_SOURCE_DIR}/packaging/tools/convert_original_checkpoint.py DESTINATION ${TAU_DATA}/tools)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/packaging/python/tau_explorer DESTINATION ${TAU_DATA}/python
        PATTERN "__pycache__" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/linux/${TAU_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/linux/${TAU_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/tau-explorer.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps RENAME ${TAU_APP_ID}.svg)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/THIRD-PARTY.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Man pages from the programs' own --help and --version, so they cannot drift from them.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(man_folder ${PROJECT_BINARY_DIR}/man)
  set(man_pages)
  foreach(program tau tau-explorer)
    if(program STREQUAL "tau")
      set(summary "train and evaluate Temperature-as-Uncertainty contrastive models from the command line")
    else()
      set(summary "train contrastive models with a learned temperature and explore their uncertainty")
    endif()
    add_custom_command(
      OUTPUT ${man_folder}/${program}.1.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${man_folder}
      COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
              ${HELP2MAN} --no-info --name=${summary} --output=${man_folder}/${program}.1
              $<TARGET_FILE:${program}>
      COMMAND gzip -9nf ${man_folder}/${program}.1
      DEPENDS ${program}
      COMMENT "Writing the man page of ${program}"
      VERBATIM)
    list(APPEND man_pages ${man_folder}/${program}.1.gz)
  endforeach()
  add_custom_target(tau_man_pages ALL DEPENDS ${man_pages})
  install(FILES ${man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man pages (./tau installs it)")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tau-explorer)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The TaU Explorer developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Temperature as Uncertainty for contrastive learning: train, watch, evaluate")
set(CPACK_PACKAGE_DESCRIPTION
    "TaU Explorer trains contrastive models (SimCLR, MoCo-v2) whose temperature is a learned, per-image value and\n"
    "uses it as an uncertainty score for out-of-distribution detection. A Qt application (tau-explorer) and a\n"
    "headless command line (tau) share one LibTorch core.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "The TaU Explorer developers <tau-explorer@users.noreply.github.com>")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/tau-explorer/tau-explorer")
# Depends: what the programs link, as dpkg-shlibdeps finds it (the Debian runtime packages of LibTorch, Qt,
# QCustomPlot, yaml-cpp, matio...). The presets train on Fashion-MNIST; the converter and the notebook reader are
# Python.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "dataset-fashion-mnist, python3-numpy")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3-torch")
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip) # xz takes minutes on LibTorch-sized binaries; the gain is small
include(CPack)
