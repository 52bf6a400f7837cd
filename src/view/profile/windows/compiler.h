/* What MSVC predefines when it compiles C for Windows x64 as setuptools
   runs it for python.org's builds (Visual Studio 2022, cl.exe 19.40; no
   /std option, so __STDC__ and __STDC_VERSION__ are not defined), for the
   names Python's headers test. From Microsoft's list of predefined macros:
   https://learn.microsoft.com/en-us/cpp/preprocessor/predefined-macros
   The headers compare _MSC_VER with 1200 ... 1400 only, so every Visual
   Studio since 2005 gives the same view. MSVC has none of gcc's
   __has_attribute/__has_builtin operators (profile.rs: `MSVC`).
   Check on Windows:
     echo _MSC_VER _WIN32 _WIN64 _M_X64 _M_AMD64 > m.c && cl /nologo /EP m.c */
#define _MSC_VER 1940
#define _WIN32 1
#define _WIN64 1
#define _M_X64 100
#define _M_AMD64 100
