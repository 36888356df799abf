{
  "targets": [
    {
      "target_name": "likeness_onednn",
      "sources": ["native/addon.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-I/opt/homebrew/include", "-I/usr/local/include"],
        "OTHER_LDFLAGS": ["-L/opt/homebrew/lib", "-L/usr/local/lib"]
      },
      "libraries": ["-ldnnl"],
      "conditions": [
        ["OS=='linux'", {"cflags_cc": ["-fopenmp"], "ldflags": ["-fopenmp"]}]
      ]
    }
  ]
}
