# Finds the LibTorch this build uses and what follows from it: the C++ standard, and the facts `--version` reports.
#
# Which LibTorch: the first TorchConfig.cmake on CMAKE_PREFIX_PATH (./tau passes PyPI's torch, or $TAU_LIBTORCH), else
# Debian's. A CUDA LibTorch needs the CUDA toolkit's nvcc to configure (its config enables the CUDA language); the
# build has no .cu files of its own, so TORCH_CUDA_ARCH_LIST only silences the failed GPU detection.
if(NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(TORCH_CUDA_ARCH_LIST "8.0;9.0") # A100, H100/H200
endif()
find_package(Torch REQUIRED)

# Its own libraries, never a namesake on the system path: TorchConfig looks in <prefix>/lib after the system's
# folders, so with Debian's libtorch-dev installed a prefix given as .../share/cmake would link Debian's libtorch.so.
get_filename_component(TAU_LIBTORCH_LIBRARY_DIR "${TORCH_LIBRARY}" DIRECTORY)
get_filename_component(TAU_LIBTORCH_PREFIX "${TORCH_INSTALL_PREFIX}" ABSOLUTE)
string(FIND "${TAU_LIBTORCH_LIBRARY_DIR}/" "${TAU_LIBTORCH_PREFIX}/" library_in_prefix)
if(NOT library_in_prefix EQUAL 0)
  message(FATAL_ERROR "LibTorch: TorchConfig.cmake was found in ${TAU_LIBTORCH_PREFIX}, but its library in "
    "${TAU_LIBTORCH_LIBRARY_DIR}. Give CMAKE_PREFIX_PATH the LibTorch's root folder (the one holding lib/ and "
    "share/cmake/Torch), not its share/cmake folder.")
endif()

# ATen refuses anything below C++20 from 2.13 on; 1.13 to 2.12 build as C++17.
if(Torch_VERSION VERSION_GREATER_EQUAL 2.13)
  set(CMAKE_CXX_STANDARD 20)
else()
  set(CMAKE_CXX_STANDARD 17)
endif()
set(CMAKE_CXX_STANDARD_REQUIRED ON)

set(TAU_LIBTORCH_HAS_CUDA OFF)
if(TORCH_CUDA_LIBRARIES OR CUDA_FOUND OR CUDAToolkit_FOUND)
  set(TAU_LIBTORCH_HAS_CUDA ON)
endif()

# Debian's libtorch-dev lives in the system's library folder; the .deb is built on it (./tau package).
set(TAU_LIBTORCH_IS_DEBIAN OFF)
if(TAU_LIBTORCH_PREFIX MATCHES "^/usr/lib")
  set(TAU_LIBTORCH_IS_DEBIAN ON)
endif()
# The Python whose torch this LibTorch is (a pip or conda install's site-packages/torch), for the tests that compare
# with it; empty for a LibTorch without one (Debian's, a pytorch.org zip).
set(TAU_LIBTORCH_PYTHON "" CACHE INTERNAL "")
foreach(candidate "${TAU_LIBTORCH_PREFIX}/../../../../bin/python3" "${TAU_LIBTORCH_PREFIX}/../../../../bin/python")
  if(NOT TAU_LIBTORCH_IS_DEBIAN AND NOT TAU_LIBTORCH_PYTHON AND EXISTS "${candidate}")
    get_filename_component(python "${candidate}" ABSOLUTE)
    set(TAU_LIBTORCH_PYTHON "${python}" CACHE INTERNAL "the Python whose torch this LibTorch is")
  endif()
endforeach()
message(STATUS "LibTorch ${Torch_VERSION} in ${TAU_LIBTORCH_PREFIX}: C++${CMAKE_CXX_STANDARD}, CUDA ${TAU_LIBTORCH_HAS_CUDA}, "
  "Python ${TAU_LIBTORCH_PYTHON}")
