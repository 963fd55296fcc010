# sprout_glob_sources(OUT DIR): every .cpp under DIR, with ISA-specific files kept
# only for the matching architecture and given their per-file flags. Kernels are
# compiled once per ISA and picked at run time (kernels/common/dispatch.h).
# Triples: file suffix, architecture (SPROUT_X86 / SPROUT_ARM64), flags joined by
# commas ("-": none).
set(SPROUT_ISA_SUFFIXES
    _avx2        X86    -mavx2,-mfma,-mf16c
    _avxvnni     X86    -mavx2,-mfma,-mf16c,-mavxvnni
    _avx512vnni  X86    -mavx2,-mfma,-mf16c,-mavx512f,-mavx512vl,-mavx512vnni
    _neon        ARM64  -
    _neondot     ARM64  -march=armv8.2-a+dotprod)

function(sprout_glob_sources out dir)
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${dir}/*.cpp")
  list(LENGTH SPROUT_ISA_SUFFIXES n)
  math(EXPR last "${n} - 1")
  set(keep "")
  foreach(f ${srcs})
    set(matched FALSE)
    foreach(i RANGE 0 ${last} 3)
      math(EXPR ia "${i} + 1")
      math(EXPR ifl "${i} + 2")
      list(GET SPROUT_ISA_SUFFIXES ${i} suffix)
      list(GET SPROUT_ISA_SUFFIXES ${ia} arch)
      list(GET SPROUT_ISA_SUFFIXES ${ifl} flags)
      if(f MATCHES "${suffix}\\.cpp$")
        set(matched TRUE)
        if(SPROUT_${arch})
          if(NOT flags STREQUAL "-")
            string(REPLACE "," ";" flags "${flags}")
            set_source_files_properties(${f} PROPERTIES COMPILE_OPTIONS "${flags}")
          endif()
          list(APPEND keep ${f})
        endif()
        break()
      endif()
    endforeach()
    if(NOT matched)
      list(APPEND keep ${f})
    endif()
  endforeach()
  set(${out} ${keep} PARENT_SCOPE)
endfunction()
