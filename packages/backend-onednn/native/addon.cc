// likeness_onednn: oneDNN primitives for @likeness/backend-onednn, over N-API.
//
// Every function works in place on Float32Arrays owned by JavaScript (the tfjs
// cpu backend's storage): oneDNN memory objects wrap their data pointers, so no
// tensor is copied on the way in or out. Primitive descriptors and primitives
// are cached per shape (and per kind), so a training loop creates each once.
// Calls are synchronous on the JS thread; oneDNN parallelises inside each call
// with its own thread pool (OpenMP in Debian's build: OMP_NUM_THREADS).

#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& Stream() {
  static dnnl::stream stream(Engine());
  return stream;
}

// Convolution parameters, NHWC activations, filters as tfjs lays them out
// ([KH, KW, IC, OC] for conv2d, [KH, KW, IC, M] for depthwise with groups = IC).
struct ConvParams {
  int64_t n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
  static constexpr size_t kCount = 18;

  std::string Key(const char* kind, int extra = 0) const {
    std::ostringstream s;
    s << kind << ':' << n << ',' << ih << ',' << iw << ',' << ic << ',' << oh << ',' << ow << ',' << oc << ',' << kh
      << ',' << kw << ',' << sh << ',' << sw << ',' << dh << ',' << dw << ',' << pt << ',' << pl << ',' << pb << ','
      << pr << ',' << groups << ',' << extra;
    return s.str();
  }
  memory::dims Src() const { return {n, ic, ih, iw}; }
  memory::dims Dst() const { return {n, oc, oh, ow}; }
  memory::dims Weights() const {
    if (groups == 1) return {oc, ic, kh, kw};
    return {groups, oc / groups, ic / groups, kh, kw};
  }
  tag WeightsTag() const { return groups == 1 ? tag::hwio : tag::hwigo; }
  memory::dims Strides() const { return {sh, sw}; }
  // oneDNN counts dilation from 0 (no dilation), tfjs from 1.
  memory::dims Dilates() const { return {dh - 1, dw - 1}; }
  memory::dims PadL() const { return {pt, pl}; }
  memory::dims PadR() const { return {pb, pr}; }
  size_t SrcSize() const { return static_cast<size_t>(n * ih * iw * ic); }
  size_t DstSize() const { return static_cast<size_t>(n * oh * ow * oc); }
  size_t WeightsSize() const { return static_cast<size_t>(kh * kw * (ic / groups) * oc); }
};

// Loops over at least this many elements are split over OpenMP's threads (oneDNN's pool).
constexpr int64_t kParallelMin = 1 << 15;

// Thrown for bad arguments; turned into a JS TypeError/RangeError.
struct ArgError {
  bool range;
  std::string message;
};

ConvParams ReadParams(const Napi::Value& v) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw ArgError{false, "params must be an Int32Array"};
  }
  auto a = v.As<Napi::Int32Array>();
  if (a.ElementLength() != ConvParams::kCount) {
    throw ArgError{true, "params must hold " + std::to_string(ConvParams::kCount) + " integers"};
  }
  int64_t x[ConvParams::kCount];
  for (size_t i = 0; i < ConvParams::kCount; ++i) x[i] = a[i];
  ConvParams p{x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11], x[12], x[13], x[14], x[15], x[16], x[17]};
  for (size_t i = 0; i < 13; ++i) {
    if (x[i] < 1) throw ArgError{true, "sizes, strides and dilations must be ≥ 1"};
  }
  // Top/left padding is real; bottom/right may be negative down to 1 − stride
  // (rows the output never reaches), as oneDNN allows.
  if (p.pt < 0 || p.pl < 0 || p.pb <= -p.sh || p.pr <= -p.sw) {
    throw ArgError{true, "paddings out of range"};
  }
  if (p.groups < 1 || p.ic % p.groups != 0 || p.oc % p.groups != 0) {
    throw ArgError{true, "groups must divide both channel counts"};
  }
  return p;
}

float* Floats(const Napi::Value& v, size_t need, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw ArgError{false, std::string(name) + " must be a Float32Array"};
  }
  auto a = v.As<Napi::Float32Array>();
  if (a.ElementLength() != need) {
    throw ArgError{true, std::string(name) + " holds " + std::to_string(a.ElementLength()) + " values, expected " +
                             std::to_string(need)};
  }
  return a.Data();
}

// A cached primitive with its weights in the layout the primitive prefers
// (oneDNN picks blocked layouts for speed; the user layout is plain hwio).
struct ConvEntry {
  dnnl::primitive prim;
  memory::desc weights_md;        // what the primitive wants
  bool weights_reorder = false;   // user layout differs from weights_md
  memory weights_mem;             // primitive-layout buffer when reordering
  dnnl::reorder weights_prim;     // user ↔ primitive layout
  bool has_bias = false;
};

constexpr size_t kMaxCacheEntries = 512;
std::unordered_map<std::string, std::unique_ptr<ConvEntry>>& Cache() {
  static std::unordered_map<std::string, std::unique_ptr<ConvEntry>> cache;
  return cache;
}

ConvEntry* Insert(const std::string& key, std::unique_ptr<ConvEntry> e) {
  auto& cache = Cache();
  if (cache.size() >= kMaxCacheEntries) cache.clear();
  auto* raw = e.get();
  cache.emplace(key, std::move(e));
  return raw;
}

dnnl::convolution_forward::primitive_desc ForwardPd(const ConvParams& p, bool bias, int activation, dnnl::prop_kind prop) {
  auto& eng = Engine();
  memory::desc src(p.Src(), dt::f32, tag::nhwc);
  memory::desc dst(p.Dst(), dt::f32, tag::nhwc);
  memory::desc w(p.Weights(), dt::f32, tag::any);
  dnnl::primitive_attr attr;
  if (activation != 0) {
    dnnl::post_ops ops;
    if (activation == 1) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    else if (activation == 2) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
    else throw ArgError{true, "unknown activation code"};
    attr.set_post_ops(ops);
  }
  if (bias) {
    memory::desc b({p.oc}, dt::f32, tag::a);
    dnnl::convolution_forward::desc d(prop, dnnl::algorithm::convolution_direct, src, w, b, dst, p.Strides(),
                                      p.Dilates(), p.PadL(), p.PadR());
    return dnnl::convolution_forward::primitive_desc(d, attr, eng);
  }
  dnnl::convolution_forward::desc d(prop, dnnl::algorithm::convolution_direct, src, w, dst, p.Strides(), p.Dilates(),
                                    p.PadL(), p.PadR());
  return dnnl::convolution_forward::primitive_desc(d, attr, eng);
}

void PrepareWeights(ConvEntry* e, const ConvParams& p, const memory::desc& wanted, bool to_user) {
  memory::desc user(p.Weights(), dt::f32, p.WeightsTag());
  e->weights_md = wanted;
  if (wanted != user) {
    e->weights_reorder = true;
    e->weights_mem = memory(wanted, Engine());
    // The reorder's memories are bound at execution; only descriptors matter here.
    memory user_mem(user, Engine(), DNNL_MEMORY_NONE);
    e->weights_prim = to_user ? dnnl::reorder(e->weights_mem, user_mem) : dnnl::reorder(user_mem, e->weights_mem);
  }
}

// Copies of one filter tensor's values in the layouts primitives asked for (a forward and a
// backward-data convolution may want different blocked layouts, and a batch size another),
// so a filter used again is not reordered again: ≈ 2.4 MB of reordering for every call with
// a [3, 3, 256, 256] filter, most of a batch-1 convolution's time. JavaScript makes one per
// filter tensor it sees a second time (newWeightsCache) and passes it beside the filter;
// V8 is told its size, so a dropped one is collected as promptly as its bytes warrant.
struct WeightsCache {
  const float* source = nullptr;  // the user-layout values the copies were made from
  int64_t bytes = 0;
  std::vector<std::pair<memory::desc, memory>> layouts;
};

const napi_type_tag kWeightsCacheTag = {0x6c696b656e657373ULL, 0x7765696768747331ULL};

void ReleaseLayouts(Napi::Env env, WeightsCache* c) {
  if (c->bytes != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -c->bytes);
  c->bytes = 0;
  c->layouts.clear();
}

// newWeightsCache(): an empty cache for one filter tensor (an opaque external value).
Napi::Value NewWeightsCache(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto ext = Napi::External<WeightsCache>::New(env, new WeightsCache(), [](Napi::Env e, WeightsCache* c) {
    ReleaseLayouts(e, c);
    delete c;
  });
  if (napi_type_tag_object(env, ext, &kWeightsCacheTag) != napi_ok) throw std::runtime_error("could not tag a weights cache");
  return ext;
}

// The optional weights cache at info[index]: null/undefined for none.
WeightsCache* ReadWeightsCache(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || info[index].IsNull() || info[index].IsUndefined()) return nullptr;
  bool tagged = false;
  if (info[index].IsExternal()) napi_check_object_type_tag(info.Env(), info[index], &kWeightsCacheTag, &tagged);
  if (!tagged) throw ArgError{false, "weightsCache must be a value from newWeightsCache() or null"};
  return info[index].As<Napi::External<WeightsCache>>().Data();
}

// The weights a primitive reads: the user's own where the layouts agree; else the cache's copy in
// the primitive's layout (made now if missing); else, with no cache, the entry's scratch buffer
// reordered now. A cache made from other values (another array) is emptied first.
memory WeightsFor(ConvEntry* e, const memory& w_user, const float* w, WeightsCache* cache, Napi::Env env) {
  if (!e->weights_reorder) return w_user;
  auto& s = Stream();
  if (cache == nullptr) {
    e->weights_prim.execute(s, {{DNNL_ARG_FROM, w_user}, {DNNL_ARG_TO, e->weights_mem}});
    return e->weights_mem;
  }
  if (cache->source != w) {
    ReleaseLayouts(env, cache);
    cache->source = w;
  }
  for (auto& layout : cache->layouts) {
    if (layout.first == e->weights_md) return layout.second;
  }
  memory copy(e->weights_md, Engine());
  e->weights_prim.execute(s, {{DNNL_ARG_FROM, w_user}, {DNNL_ARG_TO, copy}});
  auto bytes = static_cast<int64_t>(e->weights_md.get_size());
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
  cache->bytes += bytes;
  cache->layouts.emplace_back(e->weights_md, copy);
  return copy;
}

// conv2dForward(x, w, y, params, bias|null, activation, weightsCache|null): y = act(conv(x, w) + bias)
Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  ConvParams p = ReadParams(info[3]);
  float* x = Floats(info[0], p.SrcSize(), "x");
  float* w = Floats(info[1], p.WeightsSize(), "filter");
  float* y = Floats(info[2], p.DstSize(), "y");
  float* b = nullptr;
  if (info.Length() > 4 && !info[4].IsNull() && !info[4].IsUndefined()) b = Floats(info[4], p.oc, "bias");
  int activation = info.Length() > 5 && info[5].IsNumber() ? info[5].As<Napi::Number>().Int32Value() : 0;

  auto key = p.Key("fwd", (b ? 16 : 0) + activation);
  auto it = Cache().find(key);
  ConvEntry* e;
  if (it != Cache().end()) {
    e = it->second.get();
  } else {
    auto pd = ForwardPd(p, b != nullptr, activation, dnnl::prop_kind::forward_training);
    auto entry = std::make_unique<ConvEntry>();
    entry->prim = dnnl::convolution_forward(pd);
    entry->has_bias = b != nullptr;
    PrepareWeights(entry.get(), p, pd.weights_desc(), false);
    e = Insert(key, std::move(entry));
  }
  auto& eng = Engine();
  auto& s = Stream();
  memory x_mem({p.Src(), dt::f32, tag::nhwc}, eng, x);
  memory y_mem({p.Dst(), dt::f32, tag::nhwc}, eng, y);
  memory w_user({p.Weights(), dt::f32, p.WeightsTag()}, eng, w);
  memory w_mem = WeightsFor(e, w_user, w, ReadWeightsCache(info, 6), info.Env());
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, x_mem}, {DNNL_ARG_WEIGHTS, w_mem}, {DNNL_ARG_DST, y_mem}};
  if (b) args.insert({DNNL_ARG_BIAS, memory({{p.oc}, dt::f32, tag::a}, eng, b)});
  e->prim.execute(s, args);
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackwardData(dy, w, dx, params, weightsCache|null): dx = ∂(Σ dy·conv(x, w))/∂x
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info) {
  ConvParams p = ReadParams(info[3]);
  float* dy = Floats(info[0], p.DstSize(), "dy");
  float* w = Floats(info[1], p.WeightsSize(), "filter");
  float* dx = Floats(info[2], p.SrcSize(), "dx");
  auto key = p.Key("bwd_data");
  auto it = Cache().find(key);
  ConvEntry* e;
  if (it != Cache().end()) {
    e = it->second.get();
  } else {
    auto hint = ForwardPd(p, false, 0, dnnl::prop_kind::forward_training);
    memory::desc src(p.Src(), dt::f32, tag::nhwc);
    memory::desc dst(p.Dst(), dt::f32, tag::nhwc);
    memory::desc wd(p.Weights(), dt::f32, tag::any);
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, src, wd, dst, p.Strides(),
                                            p.Dilates(), p.PadL(), p.PadR());
    dnnl::convolution_backward_data::primitive_desc pd(d, Engine(), hint);
    auto entry = std::make_unique<ConvEntry>();
    entry->prim = dnnl::convolution_backward_data(pd);
    PrepareWeights(entry.get(), p, pd.weights_desc(), false);
    e = Insert(key, std::move(entry));
  }
  auto& eng = Engine();
  auto& s = Stream();
  memory dy_mem({p.Dst(), dt::f32, tag::nhwc}, eng, dy);
  memory dx_mem({p.Src(), dt::f32, tag::nhwc}, eng, dx);
  memory w_user({p.Weights(), dt::f32, p.WeightsTag()}, eng, w);
  memory w_mem = WeightsFor(e, w_user, w, ReadWeightsCache(info, 4), info.Env());
  e->prim.execute(s, {{DNNL_ARG_DIFF_DST, dy_mem}, {DNNL_ARG_WEIGHTS, w_mem}, {DNNL_ARG_DIFF_SRC, dx_mem}});
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackwardWeights(x, dy, dw, params): dw = ∂(Σ dy·conv(x, w))/∂w
Napi::Value Conv2dBackwardWeights(const Napi::CallbackInfo& info) {
  ConvParams p = ReadParams(info[3]);
  float* x = Floats(info[0], p.SrcSize(), "x");
  float* dy = Floats(info[1], p.DstSize(), "dy");
  float* dw = Floats(info[2], p.WeightsSize(), "dw");
  auto key = p.Key("bwd_weights");
  auto it = Cache().find(key);
  ConvEntry* e;
  if (it != Cache().end()) {
    e = it->second.get();
  } else {
    auto hint = ForwardPd(p, false, 0, dnnl::prop_kind::forward_training);
    memory::desc src(p.Src(), dt::f32, tag::nhwc);
    memory::desc dst(p.Dst(), dt::f32, tag::nhwc);
    memory::desc wd(p.Weights(), dt::f32, tag::any);
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, src, wd, dst, p.Strides(),
                                               p.Dilates(), p.PadL(), p.PadR());
    dnnl::convolution_backward_weights::primitive_desc pd(d, Engine(), hint);
    auto entry = std::make_unique<ConvEntry>();
    entry->prim = dnnl::convolution_backward_weights(pd);
    PrepareWeights(entry.get(), p, pd.diff_weights_desc(), true);
    e = Insert(key, std::move(entry));
  }
  auto& eng = Engine();
  auto& s = Stream();
  memory x_mem({p.Src(), dt::f32, tag::nhwc}, eng, x);
  memory dy_mem({p.Dst(), dt::f32, tag::nhwc}, eng, dy);
  memory dw_user({p.Weights(), dt::f32, p.WeightsTag()}, eng, dw);
  memory dw_mem = e->weights_reorder ? e->weights_mem : dw_user;
  e->prim.execute(s, {{DNNL_ARG_SRC, x_mem}, {DNNL_ARG_DIFF_DST, dy_mem}, {DNNL_ARG_DIFF_WEIGHTS, dw_mem}});
  if (e->weights_reorder) e->weights_prim.execute(s, {{DNNL_ARG_FROM, e->weights_mem}, {DNNL_ARG_TO, dw_user}});
  s.wait();
  return info.Env().Undefined();
}


// Pooling parameters, NHWC: sizes, window, strides, padding (bottom/right as
// for convolutions: whatever makes oneDNN's output size formula exact).
struct PoolParams {
  int64_t n, ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr;
  static constexpr size_t kCount = 14;
  std::string Key(const char* kind) const {
    std::ostringstream s;
    s << kind << ':' << n << ',' << ih << ',' << iw << ',' << c << ',' << oh << ',' << ow << ',' << kh << ',' << kw
      << ',' << sh << ',' << sw << ',' << pt << ',' << pl << ',' << pb << ',' << pr;
    return s.str();
  }
  memory::desc Src() const { return {{n, c, ih, iw}, dt::f32, tag::nhwc}; }
  memory::desc Dst() const { return {{n, c, oh, ow}, dt::f32, tag::nhwc}; }
  size_t SrcSize() const { return static_cast<size_t>(n * ih * iw * c); }
  size_t DstSize() const { return static_cast<size_t>(n * oh * ow * c); }
};

PoolParams ReadPoolParams(const Napi::Value& v) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw ArgError{false, "params must be an Int32Array"};
  }
  auto a = v.As<Napi::Int32Array>();
  if (a.ElementLength() != PoolParams::kCount) {
    throw ArgError{true, "params must hold " + std::to_string(PoolParams::kCount) + " integers"};
  }
  int64_t x[PoolParams::kCount];
  for (size_t i = 0; i < PoolParams::kCount; ++i) x[i] = a[i];
  PoolParams p{x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11], x[12], x[13]};
  for (size_t i = 0; i < 10; ++i) {
    if (x[i] < 1) throw ArgError{true, "sizes, windows and strides must be ≥ 1"};
  }
  if (p.pt < 0 || p.pl < 0 || p.pb <= -p.sh || p.pr <= -p.sw || p.pt >= p.kh || p.pl >= p.kw) {
    throw ArgError{true, "paddings out of range"};
  }
  return p;
}

dnnl::algorithm PoolAlgorithm(const Napi::Value& v) {
  int kind = v.IsNumber() ? v.As<Napi::Number>().Int32Value() : -1;
  if (kind == 0) return dnnl::algorithm::pooling_max;
  if (kind == 1) return dnnl::algorithm::pooling_avg_exclude_padding;
  throw ArgError{true, "pooling kind must be 0 (max) or 1 (avg)"};
}

dnnl::pooling_forward::primitive_desc PoolForwardPd(const PoolParams& p, dnnl::algorithm alg, dnnl::prop_kind prop) {
  dnnl::pooling_forward::desc d(prop, alg, p.Src(), p.Dst(), {p.sh, p.sw}, {p.kh, p.kw}, {p.pt, p.pl}, {p.pb, p.pr});
  return dnnl::pooling_forward::primitive_desc(d, Engine());
}

struct PoolEntry {
  dnnl::primitive fwd, bwd;
  memory workspace, dst;  // max pooling's backward needs the forward's workspace (argmax)
};

std::unordered_map<std::string, std::unique_ptr<PoolEntry>>& PoolCache() {
  static std::unordered_map<std::string, std::unique_ptr<PoolEntry>> cache;
  return cache;
}

PoolEntry* PoolLookup(const std::string& key) {
  auto it = PoolCache().find(key);
  return it == PoolCache().end() ? nullptr : it->second.get();
}

PoolEntry* PoolInsert(const std::string& key, std::unique_ptr<PoolEntry> e) {
  auto& cache = PoolCache();
  if (cache.size() >= kMaxCacheEntries) cache.clear();
  auto* raw = e.get();
  cache.emplace(key, std::move(e));
  return raw;
}

// pool2dForward(x, y, params, kind): kind 0 max, 1 average over the window's in-bounds values.
Napi::Value Pool2dForward(const Napi::CallbackInfo& info) {
  PoolParams p = ReadPoolParams(info[2]);
  auto alg = PoolAlgorithm(info[3]);
  float* x = Floats(info[0], p.SrcSize(), "x");
  float* y = Floats(info[1], p.DstSize(), "y");
  auto key = p.Key(alg == dnnl::algorithm::pooling_max ? "maxpool_fwd" : "avgpool_fwd");
  PoolEntry* e = PoolLookup(key);
  if (!e) {
    auto entry = std::make_unique<PoolEntry>();
    entry->fwd = dnnl::pooling_forward(PoolForwardPd(p, alg, dnnl::prop_kind::forward_inference));
    e = PoolInsert(key, std::move(entry));
  }
  auto& s = Stream();
  e->fwd.execute(s, {{DNNL_ARG_SRC, memory(p.Src(), Engine(), x)}, {DNNL_ARG_DST, memory(p.Dst(), Engine(), y)}});
  s.wait();
  return info.Env().Undefined();
}

// maxPool2dBackward(x, dy, dx, params): routes each dy to its window's maximum
// (the forward is rerun on x for oneDNN's argmax workspace).
Napi::Value MaxPool2dBackward(const Napi::CallbackInfo& info) {
  PoolParams p = ReadPoolParams(info[3]);
  float* x = Floats(info[0], p.SrcSize(), "x");
  float* dy = Floats(info[1], p.DstSize(), "dy");
  float* dx = Floats(info[2], p.SrcSize(), "dx");
  auto key = p.Key("maxpool_bwd");
  PoolEntry* e = PoolLookup(key);
  if (!e) {
    auto fwd = PoolForwardPd(p, dnnl::algorithm::pooling_max, dnnl::prop_kind::forward_training);
    dnnl::pooling_backward::desc d(dnnl::algorithm::pooling_max, p.Src(), p.Dst(), {p.sh, p.sw}, {p.kh, p.kw},
                                   {p.pt, p.pl}, {p.pb, p.pr});
    dnnl::pooling_backward::primitive_desc bwd(d, Engine(), fwd);
    auto entry = std::make_unique<PoolEntry>();
    entry->fwd = dnnl::pooling_forward(fwd);
    entry->bwd = dnnl::pooling_backward(bwd);
    entry->workspace = memory(fwd.workspace_desc(), Engine());
    entry->dst = memory(fwd.dst_desc(), Engine());
    e = PoolInsert(key, std::move(entry));
  }
  auto& s = Stream();
  e->fwd.execute(s, {{DNNL_ARG_SRC, memory(p.Src(), Engine(), x)}, {DNNL_ARG_DST, e->dst}, {DNNL_ARG_WORKSPACE, e->workspace}});
  e->bwd.execute(s, {{DNNL_ARG_DIFF_DST, memory(p.Dst(), Engine(), dy)},
                     {DNNL_ARG_DIFF_SRC, memory(p.Src(), Engine(), dx)},
                     {DNNL_ARG_WORKSPACE, e->workspace}});
  s.wait();
  return info.Env().Undefined();
}

// avgPool2dBackward(dy, dx, params): spreads each dy / (KH·KW) over its window. This is
// tfjs's convention (cpu, webgl and wasm alike): its forward averages the in-bounds
// values only, but its gradient divides by the full window at padded borders too, and
// this backend matches the other tfjs backends rather than the exact derivative.
Napi::Value AvgPool2dBackward(const Napi::CallbackInfo& info) {
  PoolParams p = ReadPoolParams(info[2]);
  float* dy = Floats(info[0], p.DstSize(), "dy");
  float* dx = Floats(info[1], p.SrcSize(), "dx");
  auto key = p.Key("avgpool_bwd");
  PoolEntry* e = PoolLookup(key);
  if (!e) {
    auto alg = dnnl::algorithm::pooling_avg_include_padding;
    auto fwd = PoolForwardPd(p, alg, dnnl::prop_kind::forward_training);
    dnnl::pooling_backward::desc d(alg, p.Src(), p.Dst(), {p.sh, p.sw}, {p.kh, p.kw}, {p.pt, p.pl}, {p.pb, p.pr});
    auto entry = std::make_unique<PoolEntry>();
    entry->bwd = dnnl::pooling_backward(dnnl::pooling_backward::primitive_desc(d, Engine(), fwd));
    e = PoolInsert(key, std::move(entry));
  }
  auto& s = Stream();
  e->bwd.execute(s, {{DNNL_ARG_DIFF_DST, memory(p.Dst(), Engine(), dy)}, {DNNL_ARG_DIFF_SRC, memory(p.Src(), Engine(), dx)}});
  s.wait();
  return info.Env().Undefined();
}


// ---- Elementwise -------------------------------------------------------------

// Unary functions by the code JavaScript passes (see src/kernels/elementwise-kernels.ts).
dnnl::algorithm EltwiseAlgorithm(int code) {
  switch (code) {
    case 0: return dnnl::algorithm::eltwise_relu;      // alpha: negative slope
    case 1: return dnnl::algorithm::eltwise_clip_v2;   // [alpha, beta]
    case 2: return dnnl::algorithm::eltwise_logistic;
    case 3: return dnnl::algorithm::eltwise_tanh;
    case 4: return dnnl::algorithm::eltwise_exp;
    case 5: return dnnl::algorithm::eltwise_log;
    case 6: return dnnl::algorithm::eltwise_sqrt;
    case 7: return dnnl::algorithm::eltwise_square;
    case 8: return dnnl::algorithm::eltwise_abs;
    case 9: return dnnl::algorithm::eltwise_elu;       // alpha
    case 10: return dnnl::algorithm::eltwise_linear;   // alpha · x + beta
    default: throw ArgError{true, "unknown elementwise function code"};
  }
}

std::unordered_map<std::string, dnnl::primitive>& PrimCache() {
  static std::unordered_map<std::string, dnnl::primitive> cache;
  return cache;
}

template <typename Make>
dnnl::primitive& CachedPrimitive(const std::string& key, Make make) {
  auto& cache = PrimCache();
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= kMaxCacheEntries) cache.clear();
  return cache.emplace(key, make()).first->second;
}

size_t Length(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw ArgError{false, std::string(name) + " must be a Float32Array"};
  }
  return v.As<Napi::Float32Array>().ElementLength();
}

// How many times a hand-written loop ran instead of a oneDNN primitive (tests check the native path ran).
double& NativeLoops() {
  static double count = 0;
  return count;
}

// eltwise(x, y, code, alpha, beta): y = f(x) elementwise, x and y of one length.
Napi::Value Eltwise(const Napi::CallbackInfo& info) {
  size_t n = Length(info[0], "x");
  float* x = Floats(info[0], n, "x");
  float* y = Floats(info[1], n, "y");
  int code = info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : -1;
  auto alg = EltwiseAlgorithm(code);
  float alpha = info[3].IsNumber() ? info[3].As<Napi::Number>().FloatValue() : 0.f;
  float beta = info[4].IsNumber() ? info[4].As<Napi::Number>().FloatValue() : 0.f;
  if (n == 0) return info.Env().Undefined();
  memory::desc md({static_cast<int64_t>(n)}, dt::f32, tag::a);
  std::ostringstream key;
  key << "eltwise:" << code << ',' << alpha << ',' << beta << ',' << n;
  auto& prim = CachedPrimitive(key.str(), [&] {
    dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, alg, md, alpha, beta);
    return dnnl::primitive(dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(d, Engine())));
  });
  auto& s = Stream();
  prim.execute(s, {{DNNL_ARG_SRC, memory(md, Engine(), x)}, {DNNL_ARG_DST, memory(md, Engine(), y)}});
  s.wait();
  return info.Env().Undefined();
}

// step(x, y, alpha): y = x > 0 ? 1 : alpha (NaN stays NaN), as tfjs's Step (the relu gradient's mask).
Napi::Value Step(const Napi::CallbackInfo& info) {
  size_t n = Length(info[0], "x");
  const float* x = Floats(info[0], n, "x");
  float* y = Floats(info[1], n, "y");
  float alpha = info[2].IsNumber() ? info[2].As<Napi::Number>().FloatValue() : 0.f;
  ++NativeLoops();
  const int64_t len = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static) if (len >= kParallelMin)
  for (int64_t i = 0; i < len; ++i) {
    float v = x[i];
    y[i] = v != v ? v : (v > 0.f ? 1.f : alpha);
  }
  return info.Env().Undefined();
}

// activationGrad(dy, x, dx, upper): dx = dy · m, m = 1 where 0 < x ≤ upper, 0 elsewhere, NaN where x is
// NaN — the ReluGrad (upper ∞) and Relu6Grad (6) kernels, one pass where tfjs composes two and five.
Napi::Value ActivationGrad(const Napi::CallbackInfo& info) {
  size_t n = Length(info[1], "x");
  const float* dy = Floats(info[0], n, "dy");
  const float* x = Floats(info[1], n, "x");
  float* dx = Floats(info[2], n, "dx");
  if (!info[3].IsNumber()) throw ArgError{false, "upper must be a number"};
  const float upper = info[3].As<Napi::Number>().FloatValue();
  ++NativeLoops();
  const int64_t len = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static) if (len >= kParallelMin)
  for (int64_t i = 0; i < len; ++i) {
    float v = x[i];
    float m = v != v ? v : (v > 0.f && v <= upper ? 1.f : 0.f);
    dx[i] = dy[i] * m;
  }
  return info.Env().Undefined();
}

dnnl::algorithm BinaryAlgorithm(int code) {
  switch (code) {
    case 0: return dnnl::algorithm::binary_add;
    case 1: return dnnl::algorithm::binary_sub;
    case 2: return dnnl::algorithm::binary_mul;
    case 3: return dnnl::algorithm::binary_div;
    case 4: return dnnl::algorithm::binary_max;
    case 5: return dnnl::algorithm::binary_min;
    default: throw ArgError{true, "unknown binary function code"};
  }
}

memory::dims ReadDims(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw ArgError{false, std::string(name) + " must be an Int32Array"};
  }
  auto a = v.As<Napi::Int32Array>();
  if (a.ElementLength() < 1 || a.ElementLength() > 6) throw ArgError{true, std::string(name) + " must have rank 1 to 6"};
  memory::dims d;
  for (size_t i = 0; i < a.ElementLength(); ++i) {
    if (a[i] < 1) throw ArgError{true, std::string(name) + " sizes must be ≥ 1"};
    d.push_back(a[i]);
  }
  return d;
}

memory::desc RowMajor(const memory::dims& d, dt type = dt::f32) {
  memory::dims strides(d.size());
  int64_t st = 1;
  for (size_t i = d.size(); i-- > 0;) {
    strides[i] = st;
    st *= d[i];
  }
  return memory::desc(d, type, strides);
}

size_t Product(const memory::dims& d) {
  size_t p = 1;
  for (auto v : d) p *= static_cast<size_t>(v);
  return p;
}

// binary(a, b, y, code, dimsA, dimsB): y = a ∘ b, b broadcast to a's shape (same rank; b's sizes 1 or a's).
Napi::Value Binary(const Napi::CallbackInfo& info) {
  auto da = ReadDims(info[4], "dimsA");
  auto db = ReadDims(info[5], "dimsB");
  if (da.size() != db.size()) throw ArgError{true, "dimsA and dimsB must have the same rank"};
  for (size_t i = 0; i < da.size(); ++i) {
    if (db[i] != da[i] && db[i] != 1) throw ArgError{true, "b must broadcast to a's shape"};
  }
  float* a = Floats(info[0], Product(da), "a");
  float* b = Floats(info[1], Product(db), "b");
  float* y = Floats(info[2], Product(da), "y");
  int code = info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : -1;
  auto alg = BinaryAlgorithm(code);
  auto ma = RowMajor(da), mb = RowMajor(db);
  std::ostringstream key;
  key << "binary:" << code;
  for (auto v : da) key << ',' << v;
  key << '|';
  for (auto v : db) key << ',' << v;
  auto& prim = CachedPrimitive(key.str(), [&] {
    dnnl::binary::desc d(alg, ma, mb, ma);
    return dnnl::primitive(dnnl::binary(dnnl::binary::primitive_desc(d, Engine())));
  });
  auto& s = Stream();
  prim.execute(s, {{DNNL_ARG_SRC_0, memory(ma, Engine(), a)}, {DNNL_ARG_SRC_1, memory(mb, Engine(), b)}, {DNNL_ARG_DST, memory(ma, Engine(), y)}});
  s.wait();
  return info.Env().Undefined();
}

// ---- Own loops: broadcasting arithmetic and comparisons, select, batch norm ----
//
// oneDNN 2.6's binary primitive covers only a second operand broadcast to the first, and
// tfjs's comparisons and select have no primitive at all; these loops handle numpy
// broadcasting of either operand, vectorise (the inner run has stride 0 or 1 on each side)
// and split the work over OpenMP's threads (the pool oneDNN itself uses) when large.


// Output shape and per-operand strides (0 where broadcast), size-1 axes dropped and
// contiguous runs merged; `inner` is the last axis, run with stride 0 or 1 on each side.
struct BroadcastPlan {
  std::vector<int64_t> out, sa, sb;
  int64_t inner = 1, outer = 1;
  bool ia = true, ib = true;  // inner stride 1 (else 0)
};

BroadcastPlan PlanBroadcast(const memory::dims& da, const memory::dims& db, const memory::dims& dy) {
  const size_t r = dy.size();
  if (da.size() != r || db.size() != r) throw ArgError{true, "dimsA, dimsB and dimsY must have one rank"};
  std::vector<int64_t> sa(r), sb(r);
  int64_t ra = 1, rb = 1;
  for (size_t i = r; i-- > 0;) {
    if ((da[i] != dy[i] && da[i] != 1) || (db[i] != dy[i] && db[i] != 1)) {
      throw ArgError{true, "dimsA and dimsB must broadcast to dimsY"};
    }
    sa[i] = da[i] == 1 ? 0 : ra;
    sb[i] = db[i] == 1 ? 0 : rb;
    ra *= da[i];
    rb *= db[i];
  }
  BroadcastPlan p;
  for (size_t i = 0; i < r; ++i) {
    if (dy[i] == 1) continue;
    if (!p.out.empty() && p.sa.back() == sa[i] * dy[i] && p.sb.back() == sb[i] * dy[i]) {
      p.out.back() *= dy[i];  // merge with the previous axis: contiguous (or broadcast) on both sides
      p.sa.back() = sa[i];
      p.sb.back() = sb[i];
      continue;
    }
    p.out.push_back(dy[i]);
    p.sa.push_back(sa[i]);
    p.sb.push_back(sb[i]);
  }
  if (p.out.empty()) {
    p.out = {1};
    p.sa = {0};
    p.sb = {0};
  }
  p.inner = p.out.back();
  p.ia = p.sa.back() != 0;
  p.ib = p.sb.back() != 0;
  for (size_t i = 0; i + 1 < p.out.size(); ++i) p.outer *= p.out[i];
  return p;
}

template <class T, class F>
void RunBroadcast(const float* a, const float* b, T* y, const BroadcastPlan& p, F f) {
  const int64_t n = p.inner, outer = p.outer;
  // Few long rows (e.g. two same-shape operands: one row) are split into chunks for the threads.
  const int64_t chunks = outer >= 16 ? 1 : std::max<int64_t>(1, std::min<int64_t>(16, n / 8192));
  const int64_t step = (n + chunks - 1) / chunks;
  const int64_t units = outer * chunks;
  const int rank = static_cast<int>(p.out.size());
#pragma omp parallel for schedule(static) if (outer * n >= kParallelMin)
  for (int64_t u = 0; u < units; ++u) {
    const int64_t o = u / chunks;
    const int64_t i0 = (u % chunks) * step, i1 = std::min(n, i0 + step);
    int64_t rem = o, oa = 0, ob = 0;
    for (int d = rank - 2; d >= 0; --d) {
      const int64_t idx = rem % p.out[d];
      rem /= p.out[d];
      oa += idx * p.sa[d];
      ob += idx * p.sb[d];
    }
    const float* __restrict pa = a + oa;
    const float* __restrict pb = b + ob;
    T* __restrict py = y + o * n;
    if (p.ia && p.ib) {
      for (int64_t i = i0; i < i1; ++i) py[i] = f(pa[i], pb[i]);
    } else if (p.ia) {
      const float bv = pb[0];
      for (int64_t i = i0; i < i1; ++i) py[i] = f(pa[i], bv);
    } else if (p.ib) {
      const float av = pa[0];
      for (int64_t i = i0; i < i1; ++i) py[i] = f(av, pb[i]);
    } else {
      const T v = f(pa[0], pb[0]);
      for (int64_t i = i0; i < i1; ++i) py[i] = v;
    }
  }
}

inline float MaxNaN(float a, float b) { return (a != a || b != b) ? a + b : (a > b ? a : b); }
inline float MinNaN(float a, float b) { return (a != a || b != b) ? a + b : (a < b ? a : b); }

// broadcast2(a, b, y, code, dimsA, dimsB, dimsY): y = a ∘ b with numpy broadcasting of both
// operands (one rank, each size 1 or dimsY's). Arithmetic codes (y a Float32Array): 0 add,
// 1 sub, 2 mul, 3 div, 4 max, 5 min (NaN propagates, as Math.max), 6 squared difference.
// Comparisons (y a Uint8Array of 0/1, tfjs's bool storage): 10 <, 11 ≤, 12 >, 13 ≥, 14 ==, 15 ≠.
Napi::Value Broadcast2(const Napi::CallbackInfo& info) {
  auto da = ReadDims(info[4], "dimsA");
  auto db = ReadDims(info[5], "dimsB");
  auto dy = ReadDims(info[6], "dimsY");
  auto plan = PlanBroadcast(da, db, dy);
  const float* a = Floats(info[0], Product(da), "a");
  const float* b = Floats(info[1], Product(db), "b");
  const int code = info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : -1;
  const size_t n = Product(dy);
  ++NativeLoops();
  if (code >= 10 && code <= 15) {
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
        info[2].As<Napi::Uint8Array>().ElementLength() != n) {
      throw ArgError{false, "y must be a Uint8Array of dimsY's size"};
    }
    uint8_t* y = info[2].As<Napi::Uint8Array>().Data();
    switch (code) {
      case 10: RunBroadcast(a, b, y, plan, [](float u, float v) -> uint8_t { return u < v; }); break;
      case 11: RunBroadcast(a, b, y, plan, [](float u, float v) -> uint8_t { return u <= v; }); break;
      case 12: RunBroadcast(a, b, y, plan, [](float u, float v) -> uint8_t { return u > v; }); break;
      case 13: RunBroadcast(a, b, y, plan, [](float u, float v) -> uint8_t { return u >= v; }); break;
      case 14: RunBroadcast(a, b, y, plan, [](float u, float v) -> uint8_t { return u == v; }); break;
      default: RunBroadcast(a, b, y, plan, [](float u, float v) -> uint8_t { return u != v; }); break;
    }
    return info.Env().Undefined();
  }
  float* y = Floats(info[2], n, "y");
  switch (code) {
    case 0: RunBroadcast(a, b, y, plan, [](float u, float v) { return u + v; }); break;
    case 1: RunBroadcast(a, b, y, plan, [](float u, float v) { return u - v; }); break;
    case 2: RunBroadcast(a, b, y, plan, [](float u, float v) { return u * v; }); break;
    case 3: RunBroadcast(a, b, y, plan, [](float u, float v) { return u / v; }); break;
    case 4: RunBroadcast(a, b, y, plan, MaxNaN); break;
    case 5: RunBroadcast(a, b, y, plan, MinNaN); break;
    case 6: RunBroadcast(a, b, y, plan, [](float u, float v) { float d = u - v; return d * d; }); break;
    default: throw ArgError{true, "unknown broadcast function code"};
  }
  return info.Env().Undefined();
}

// select(condition, t, e, y): y = condition ? t : e elementwise (condition a Uint8Array, all one length).
Napi::Value Select(const Napi::CallbackInfo& info) {
  size_t n = Length(info[1], "t");
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      info[0].As<Napi::Uint8Array>().ElementLength() != n) {
    throw ArgError{false, "condition must be a Uint8Array of t's length"};
  }
  const uint8_t* __restrict c = info[0].As<Napi::Uint8Array>().Data();
  const float* __restrict t = Floats(info[1], n, "t");
  const float* __restrict e = Floats(info[2], n, "e");
  float* __restrict y = Floats(info[3], n, "y");
  ++NativeLoops();
  const int64_t len = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static) if (len >= kParallelMin)
  for (int64_t i = 0; i < len; ++i) y[i] = c[i] ? t[i] : e[i];
  return info.Env().Undefined();
}

dnnl::algorithm ReductionAlgorithm(int code) {
  switch (code) {
    case 0: return dnnl::algorithm::reduction_sum;
    case 1: return dnnl::algorithm::reduction_mean;
    case 2: return dnnl::algorithm::reduction_max;
    case 3: return dnnl::algorithm::reduction_min;
    default: throw ArgError{true, "unknown reduction code"};
  }
}

// reduce(x, y, code, dimsX, dimsY): y = reduction of x over the axes where dimsY is 1 (same rank).
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  auto dx = ReadDims(info[3], "dimsX");
  auto dy = ReadDims(info[4], "dimsY");
  if (dx.size() != dy.size()) throw ArgError{true, "dimsX and dimsY must have the same rank"};
  for (size_t i = 0; i < dx.size(); ++i) {
    if (dy[i] != dx[i] && dy[i] != 1) throw ArgError{true, "dimsY must be dimsX with reduced axes set to 1"};
  }
  float* x = Floats(info[0], Product(dx), "x");
  float* y = Floats(info[1], Product(dy), "y");
  int code = info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : -1;
  auto alg = ReductionAlgorithm(code);
  // Sums and means over one run of adjacent axes (x as [A, B, C], B reduced: the batch-norm
  // statistics over N·H·W, a global average pool over H·W, a row sum) are a single pass of
  // row additions here; oneDNN 2.6's reduction takes several times longer for these.
  size_t first = dx.size(), last = 0;
  for (size_t i = 0; i < dx.size(); ++i) {
    if (dy[i] == dx[i]) continue;  // kept (or of size 1)
    first = std::min(first, i);
    last = i;
  }
  bool adjacent = first <= last;
  for (size_t i = first; adjacent && i <= last; ++i) adjacent = dy[i] == 1;
  if ((code == 0 || code == 1) && adjacent) {
    ++NativeLoops();
    size_t A = 1, B = 1, C = 1;
    for (size_t i = 0; i < dx.size(); ++i) (i < first ? A : i <= last ? B : C) *= static_cast<size_t>(dx[i]);
    // float partial sums over blocks of 64 rows (vectorised), added into double totals.
    constexpr size_t kBlock = 64;
    std::vector<double> acc(C);
    std::vector<float> part(C);
    const double scale = code == 1 ? 1.0 / static_cast<double>(B) : 1.0;
    for (size_t a = 0; a < A; ++a) {
      std::fill(acc.begin(), acc.end(), 0.0);
      const float* rows = x + a * B * C;
      for (size_t b0 = 0; b0 < B; b0 += kBlock) {
        const size_t b1 = std::min(B, b0 + kBlock);
        if (C == 1) {
          float p = 0.f;
          for (size_t b = b0; b < b1; ++b) p += rows[b];
          acc[0] += p;
          continue;
        }
        std::fill(part.begin(), part.end(), 0.f);
        float* __restrict pp = part.data();
        for (size_t b = b0; b < b1; ++b) {
          const float* __restrict row = rows + b * C;
          for (size_t c = 0; c < C; ++c) pp[c] += row[c];
        }
        for (size_t c = 0; c < C; ++c) acc[c] += pp[c];
      }
      for (size_t c = 0; c < C; ++c) y[a * C + c] = static_cast<float>(acc[c] * scale);
    }
    return info.Env().Undefined();
  }
  auto mx = RowMajor(dx), my = RowMajor(dy);
  std::ostringstream key;
  key << "reduce:" << code;
  for (auto v : dx) key << ',' << v;
  key << '|';
  for (auto v : dy) key << ',' << v;
  auto& prim = CachedPrimitive(key.str(), [&] {
    dnnl::reduction::desc d(alg, mx, my, 0.f, 0.f);
    return dnnl::primitive(dnnl::reduction(dnnl::reduction::primitive_desc(d, Engine())));
  });
  auto& s = Stream();
  prim.execute(s, {{DNNL_ARG_SRC, memory(mx, Engine(), x)}, {DNNL_ARG_DST, memory(my, Engine(), y)}});
  s.wait();
  return info.Env().Undefined();
}

// ---- Slicing -------------------------------------------------------------------

// slice(x, y, dimsX, begin, dimsY): y = x[begin : begin + dimsY] (row-major, same rank), a reorder
// from a sub-memory view of x (no copy of x).
Napi::Value Slice(const Napi::CallbackInfo& info) {
  auto dx = ReadDims(info[2], "dimsX");
  auto dy = ReadDims(info[4], "dimsY");
  if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw ArgError{false, "begin must be an Int32Array"};
  }
  auto b = info[3].As<Napi::Int32Array>();
  if (dx.size() != dy.size() || b.ElementLength() != dx.size()) throw ArgError{true, "dimsX, begin and dimsY must have one rank"};
  memory::dims begin(dx.size());
  for (size_t i = 0; i < dx.size(); ++i) {
    begin[i] = b[i];
    if (begin[i] < 0 || begin[i] + dy[i] > dx[i]) throw ArgError{true, "the slice must lie inside x"};
  }
  // float32 or int32 (images arrive as int32): both 4-byte values, copied as they are.
  auto type = [](const Napi::Value& v) {
    return v.IsTypedArray() ? v.As<Napi::TypedArray>().TypedArrayType() : napi_uint8_clamped_array;
  };
  const bool ints = type(info[0]) == napi_int32_array;
  if (!ints && type(info[0]) != napi_float32_array) throw ArgError{false, "x must be a Float32Array or an Int32Array"};
  if (type(info[1]) != type(info[0])) throw ArgError{false, "y must be of x's type"};
  auto ta = [](const Napi::Value& v) { return v.As<Napi::TypedArray>(); };
  if (ta(info[0]).ElementLength() != Product(dx) || ta(info[1]).ElementLength() != Product(dy)) {
    throw ArgError{true, "x and y must hold dimsX and dimsY values"};
  }
  void* x = static_cast<uint8_t*>(ta(info[0]).ArrayBuffer().Data()) + ta(info[0]).ByteOffset();
  void* y = static_cast<uint8_t*>(ta(info[1]).ArrayBuffer().Data()) + ta(info[1]).ByteOffset();
  auto mx = RowMajor(dx, ints ? dt::s32 : dt::f32), my = RowMajor(dy, ints ? dt::s32 : dt::f32);
  auto sub = mx.submemory_desc(dy, begin);
  std::ostringstream key;
  key << "slice" << (ints ? "_s32" : "");
  for (size_t i = 0; i < dx.size(); ++i) key << ',' << dx[i] << ':' << begin[i] << '+' << dy[i];
  auto& prim = CachedPrimitive(key.str(), [&] {
    return dnnl::primitive(dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), sub, Engine(), my)));
  });
  auto& s = Stream();
  prim.execute(s, {{DNNL_ARG_FROM, memory(sub, Engine(), x)}, {DNNL_ARG_TO, memory(my, Engine(), y)}});
  s.wait();
  return info.Env().Undefined();
}

// pad(x, y, dimsX, before, dimsY, value): y = value everywhere, x copied in at offsets `before`
// (a reorder into a sub-memory view of y).
Napi::Value Pad(const Napi::CallbackInfo& info) {
  auto dx = ReadDims(info[2], "dimsX");
  auto dy = ReadDims(info[4], "dimsY");
  if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw ArgError{false, "before must be an Int32Array"};
  }
  auto b = info[3].As<Napi::Int32Array>();
  if (dx.size() != dy.size() || b.ElementLength() != dx.size()) throw ArgError{true, "dimsX, before and dimsY must have one rank"};
  memory::dims before(dx.size());
  for (size_t i = 0; i < dx.size(); ++i) {
    before[i] = b[i];
    if (before[i] < 0 || before[i] + dx[i] > dy[i]) throw ArgError{true, "x must fit inside y at offsets before"};
  }
  float* x = Floats(info[0], Product(dx), "x");
  float* y = Floats(info[1], Product(dy), "y");
  float value = info[5].IsNumber() ? info[5].As<Napi::Number>().FloatValue() : 0.f;
  auto mx = RowMajor(dx), my = RowMajor(dy);
  auto sub = my.submemory_desc(dx, before);
  std::ostringstream key;
  key << "pad";
  for (size_t i = 0; i < dx.size(); ++i) key << ',' << dy[i] << ':' << before[i] << '+' << dx[i];
  auto& prim = CachedPrimitive(key.str(), [&] {
    return dnnl::primitive(dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), mx, Engine(), sub)));
  });
  std::fill(y, y + Product(dy), value);
  auto& s = Stream();
  prim.execute(s, {{DNNL_ARG_FROM, memory(mx, Engine(), x)}, {DNNL_ARG_TO, memory(sub, Engine(), y)}});
  s.wait();
  return info.Env().Undefined();
}

// softmax(x, y, rows, cols): y = softmax over each row of x as [rows, cols].
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  int64_t rows = info[2].IsNumber() ? info[2].As<Napi::Number>().Int64Value() : 0;
  int64_t cols = info[3].IsNumber() ? info[3].As<Napi::Number>().Int64Value() : 0;
  if (rows < 1 || cols < 1) throw ArgError{true, "rows and cols must be ≥ 1"};
  float* x = Floats(info[0], static_cast<size_t>(rows * cols), "x");
  float* y = Floats(info[1], static_cast<size_t>(rows * cols), "y");
  memory::desc md({rows, cols}, dt::f32, tag::ab);
  std::ostringstream key;
  key << "softmax:" << rows << ',' << cols;
  auto& prim = CachedPrimitive(key.str(), [&] {
    dnnl::softmax_forward::desc d(dnnl::prop_kind::forward_inference, md, 1);
    return dnnl::primitive(dnnl::softmax_forward(dnnl::softmax_forward::primitive_desc(d, Engine())));
  });
  auto& s = Stream();
  prim.execute(s, {{DNNL_ARG_SRC, memory(md, Engine(), x)}, {DNNL_ARG_DST, memory(md, Engine(), y)}});
  s.wait();
  return info.Env().Undefined();
}

// ---- Matrix multiplication ---------------------------------------------------

// A matrix operand's logical [..., rows, cols] descriptor over row-major storage of
// `stored` dims, read transposed (the last two axes swapped, through strides) when asked.
memory::desc MatrixDesc(const memory::dims& stored, bool transposed) {
  memory::dims strides(stored.size());
  int64_t st = 1;
  for (size_t i = stored.size(); i-- > 0;) {
    strides[i] = st;
    st *= stored[i];
  }
  memory::dims dims = stored;
  const size_t r = stored.size();
  if (transposed) {
    std::swap(dims[r - 1], dims[r - 2]);
    std::swap(strides[r - 1], strides[r - 2]);
  }
  return memory::desc(dims, dt::f32, strides);
}

// matmul(a, b, y, dimsA, dimsB, transposeA, transposeB, bias|null, dimsBias|null, act, alpha, beta):
// y = act(op(a) · op(b) + bias) over the batch axes, which broadcast (a size of 1 against any).
// dimsA/dimsB are the stored shapes at one rank (≥ 2, padded with leading 1s); act is an
// eltwise code (see EltwiseAlgorithm) or -1 for none; bias's dims are 1 or the output's.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  auto da = ReadDims(info[3], "dimsA");
  auto db = ReadDims(info[4], "dimsB");
  const size_t r = da.size();
  if (db.size() != r || r < 2) throw ArgError{true, "dimsA and dimsB must have one rank, at least 2"};
  const bool ta = info[5].ToBoolean(), tb = info[6].ToBoolean();
  const int64_t m = ta ? da[r - 1] : da[r - 2], k = ta ? da[r - 2] : da[r - 1];
  const int64_t kb = tb ? db[r - 1] : db[r - 2], n = tb ? db[r - 2] : db[r - 1];
  if (k != kb) throw ArgError{true, "inner dimensions of a and b differ"};
  memory::dims dd(r);
  for (size_t i = 0; i + 2 < r; ++i) {
    if (da[i] != db[i] && da[i] != 1 && db[i] != 1) throw ArgError{true, "batch dimensions of a and b do not broadcast"};
    dd[i] = std::max(da[i], db[i]);
  }
  dd[r - 2] = m;
  dd[r - 1] = n;
  float* a = Floats(info[0], Product(da), "a");
  float* b = Floats(info[1], Product(db), "b");
  float* y = Floats(info[2], Product(dd), "y");
  float* bias = nullptr;
  memory::dims dbias;
  if (info.Length() > 8 && !info[7].IsNull() && !info[7].IsUndefined()) {
    dbias = ReadDims(info[8], "dimsBias");
    if (dbias.size() != r) throw ArgError{true, "dimsBias must have the output's rank"};
    for (size_t i = 0; i < r; ++i) {
      if (dbias[i] != dd[i] && dbias[i] != 1) throw ArgError{true, "bias must broadcast to the output's shape"};
    }
    bias = Floats(info[7], Product(dbias), "bias");
  }
  int act = info.Length() > 9 && info[9].IsNumber() ? info[9].As<Napi::Number>().Int32Value() : -1;
  float alpha = info.Length() > 10 && info[10].IsNumber() ? info[10].As<Napi::Number>().FloatValue() : 0.f;
  float beta = info.Length() > 11 && info[11].IsNumber() ? info[11].As<Napi::Number>().FloatValue() : 0.f;
  auto ma = MatrixDesc(da, ta), mb = MatrixDesc(db, tb), my = RowMajor(dd);
  memory::desc mbias = bias ? RowMajor(dbias) : memory::desc();

  std::ostringstream key;
  key << "matmul:" << ta << tb << ',' << act << ',' << alpha << ',' << beta;
  for (auto v : da) key << ',' << v;
  key << '|';
  for (auto v : db) key << ',' << v;
  key << '|';
  for (auto v : dbias) key << ',' << v;
  auto& prim = CachedPrimitive(key.str(), [&] {
    dnnl::primitive_attr attr;
    if (act >= 0) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, EltwiseAlgorithm(act), alpha, beta);
      attr.set_post_ops(ops);
    }
    auto d = bias ? dnnl::matmul::desc(ma, mb, mbias, my) : dnnl::matmul::desc(ma, mb, my);
    return dnnl::primitive(dnnl::matmul(dnnl::matmul::primitive_desc(d, attr, Engine())));
  });
  auto& eng = Engine();
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, memory(ma, eng, a)}, {DNNL_ARG_WEIGHTS, memory(mb, eng, b)}, {DNNL_ARG_DST, memory(my, eng, y)}};
  if (bias) args.insert({DNNL_ARG_BIAS, memory(mbias, eng, bias)});
  auto& s = Stream();
  prim.execute(s, args);
  s.wait();
  return info.Env().Undefined();
}

// Which implementation oneDNN picks for a matmul of these stored shapes, e.g. "brg:avx512_core".
Napi::Value MatMulImplementation(const Napi::CallbackInfo& info) {
  auto da = ReadDims(info[0], "dimsA");
  auto db = ReadDims(info[1], "dimsB");
  const size_t r = da.size();
  if (db.size() != r || r < 2) throw ArgError{true, "dimsA and dimsB must have one rank, at least 2"};
  const bool ta = info[2].ToBoolean(), tb = info[3].ToBoolean();
  memory::dims dd(r);
  for (size_t i = 0; i + 2 < r; ++i) dd[i] = std::max(da[i], db[i]);
  dd[r - 2] = ta ? da[r - 1] : da[r - 2];
  dd[r - 1] = tb ? db[r - 2] : db[r - 1];
  dnnl::matmul::primitive_desc pd({MatrixDesc(da, ta), MatrixDesc(db, tb), RowMajor(dd)}, Engine());
  return Napi::String::New(info.Env(), pd.impl_info_str());
}

// ---- Batch normalisation (inference) -------------------------------------------

// batchNormInference(x, mean, variance, scale|null, offset|null, y, channels, epsilon):
// y = (x − mean) / √(variance + ε) · scale + offset over the last axis (x as [rows, channels]).
Napi::Value BatchNormInference(const Napi::CallbackInfo& info) {
  int64_t c = info[6].IsNumber() ? info[6].As<Napi::Number>().Int64Value() : 0;
  if (c < 1) throw ArgError{true, "channels must be ≥ 1"};
  size_t total = Length(info[0], "x");
  if (total == 0 || total % static_cast<size_t>(c) != 0) throw ArgError{true, "x's size must be a multiple of channels"};
  float* x = Floats(info[0], total, "x");
  float* mean = Floats(info[1], c, "mean");
  float* variance = Floats(info[2], c, "variance");
  auto present = [&](size_t i) { return !info[i].IsNull() && !info[i].IsUndefined(); };
  float* scale = present(3) ? Floats(info[3], c, "scale") : nullptr;
  float* offset = present(4) ? Floats(info[4], c, "offset") : nullptr;
  float* y = Floats(info[5], total, "y");
  float epsilon = info[7].IsNumber() ? info[7].As<Napi::Number>().FloatValue() : 0.001f;
  // y = x · k + (offset − mean · k), k = scale / √(variance + ε), per channel: one vectorised
  // pass (oneDNN 2.6's batch normalisation took 0.3 s for [50,112,92,32] here; this loop, memory speed).
  const int64_t rows = static_cast<int64_t>(total) / c;
  std::vector<float> k(static_cast<size_t>(c)), shift(static_cast<size_t>(c));
  for (int64_t j = 0; j < c; ++j) {
    const double kk = (scale ? static_cast<double>(scale[j]) : 1.0) / std::sqrt(static_cast<double>(variance[j]) + epsilon);
    k[j] = static_cast<float>(kk);
    shift[j] = static_cast<float>((offset ? static_cast<double>(offset[j]) : 0.0) - static_cast<double>(mean[j]) * kk);
  }
  ++NativeLoops();
  const float* __restrict kp = k.data();
  const float* __restrict sp = shift.data();
#pragma omp parallel for schedule(static) if (static_cast<int64_t>(total) >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict xr = x + r * c;
    float* __restrict yr = y + r * c;
    for (int64_t j = 0; j < c; ++j) yr[j] = xr[j] * kp[j] + sp[j];
  }
  return info.Env().Undefined();
}

// Which implementations oneDNN picks for a convolution: "fwd / bwd_data / bwd_weights",
// e.g. "brgconv:avx512_core / ..." (for benchmarks and docs).
Napi::Value Conv2dImplementation(const Napi::CallbackInfo& info) {
  ConvParams p = ReadParams(info[0]);
  auto fwd = ForwardPd(p, false, 0, dnnl::prop_kind::forward_training);
  memory::desc src(p.Src(), dt::f32, tag::nhwc);
  memory::desc dst(p.Dst(), dt::f32, tag::nhwc);
  memory::desc wd(p.Weights(), dt::f32, tag::any);
  dnnl::convolution_backward_data::primitive_desc bd(
      {dnnl::algorithm::convolution_direct, src, wd, dst, p.Strides(), p.Dilates(), p.PadL(), p.PadR()}, Engine(), fwd);
  dnnl::convolution_backward_weights::primitive_desc bw(
      {dnnl::algorithm::convolution_direct, src, wd, dst, p.Strides(), p.Dilates(), p.PadL(), p.PadR()}, Engine(), fwd);
  return Napi::String::New(info.Env(), std::string(fwd.impl_info_str()) + " / " + bd.impl_info_str() + " / " + bw.impl_info_str());
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  const dnnl_version_t* v = dnnl_version();
  auto out = Napi::Object::New(env);
  out.Set("version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  out.Set("major", v->major);
  out.Set("minor", v->minor);
  const char* runtime = v->cpu_runtime == DNNL_RUNTIME_OMP   ? "OMP"
                        : v->cpu_runtime == DNNL_RUNTIME_TBB ? "TBB"
                        : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "SEQ"
                                                             : "other";
  out.Set("cpuRuntime", runtime);
  out.Set("hash", v->hash ? v->hash : "");
  return out;
}

// keepFreedMemory(): glibc only. Large blocks (every tensor's storage: V8 callocs ArrayBuffers)
// come from the heap instead of fresh mmap()s, and freed memory stays in the process for the
// next allocation instead of going back to the OS. A fresh mapping is faulted in (and zeroed by
// the kernel) one 4 KiB page at a time on first write: 240–370 ms for one 66 MB tensor on this
// project's machines, against ~7 ms to clear reused memory. Returns whether it applied.
Napi::Value KeepFreedMemory(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  bool ok = mallopt(M_MMAP_MAX, 0) == 1;
  ok = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1 && ok;
  return Napi::Boolean::New(info.Env(), ok);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

Napi::Value CacheSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Cache().size() + PoolCache().size() + PrimCache().size()));
}

Napi::Value NativeLoopCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), NativeLoops());
}

Napi::Value ClearCache(const Napi::CallbackInfo& info) {
  Cache().clear();
  PoolCache().clear();
  PrimCache().clear();
  return info.Env().Undefined();
}

// Every export goes through here: bad arguments become TypeError/RangeError,
// oneDNN failures an Error with code ONEDNN_UNIMPLEMENTED or ONEDNN_ERROR.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  try {
    return F(info);
  } catch (const ArgError& e) {
    if (e.range) Napi::RangeError::New(env, e.message).ThrowAsJavaScriptException();
    else Napi::TypeError::New(env, e.message).ThrowAsJavaScriptException();
  } catch (const dnnl::error& e) {
    auto err = Napi::Error::New(env, std::string("oneDNN: ") + e.what());
    err.Set("code", e.status == dnnl_unimplemented ? "ONEDNN_UNIMPLEMENTED" : "ONEDNN_ERROR");
    err.ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    auto err = Napi::Error::New(env, std::string("oneDNN addon: ") + e.what());
    err.Set("code", "ONEDNN_ERROR");
    err.ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New<Guarded<Conv2dForward>>(env, "conv2dForward"));
  exports.Set("conv2dBackwardData", Napi::Function::New<Guarded<Conv2dBackwardData>>(env, "conv2dBackwardData"));
  exports.Set("newWeightsCache", Napi::Function::New<Guarded<NewWeightsCache>>(env, "newWeightsCache"));
  exports.Set("conv2dBackwardWeights", Napi::Function::New<Guarded<Conv2dBackwardWeights>>(env, "conv2dBackwardWeights"));
  exports.Set("pool2dForward", Napi::Function::New<Guarded<Pool2dForward>>(env, "pool2dForward"));
  exports.Set("maxPool2dBackward", Napi::Function::New<Guarded<MaxPool2dBackward>>(env, "maxPool2dBackward"));
  exports.Set("avgPool2dBackward", Napi::Function::New<Guarded<AvgPool2dBackward>>(env, "avgPool2dBackward"));
  exports.Set("eltwise", Napi::Function::New<Guarded<Eltwise>>(env, "eltwise"));
  exports.Set("step", Napi::Function::New<Guarded<Step>>(env, "step"));
  exports.Set("activationGrad", Napi::Function::New<Guarded<ActivationGrad>>(env, "activationGrad"));
  exports.Set("binary", Napi::Function::New<Guarded<Binary>>(env, "binary"));
  exports.Set("broadcast2", Napi::Function::New<Guarded<Broadcast2>>(env, "broadcast2"));
  exports.Set("select", Napi::Function::New<Guarded<Select>>(env, "select"));
  exports.Set("reduce", Napi::Function::New<Guarded<Reduce>>(env, "reduce"));
  exports.Set("slice", Napi::Function::New<Guarded<Slice>>(env, "slice"));
  exports.Set("pad", Napi::Function::New<Guarded<Pad>>(env, "pad"));
  exports.Set("softmax", Napi::Function::New<Guarded<Softmax>>(env, "softmax"));
  exports.Set("matMul", Napi::Function::New<Guarded<MatMul>>(env, "matMul"));
  exports.Set("matMulImplementation", Napi::Function::New<Guarded<MatMulImplementation>>(env, "matMulImplementation"));
  exports.Set("batchNormInference", Napi::Function::New<Guarded<BatchNormInference>>(env, "batchNormInference"));
  exports.Set("conv2dImplementation", Napi::Function::New<Guarded<Conv2dImplementation>>(env, "conv2dImplementation"));
  exports.Set("info", Napi::Function::New<Guarded<Info>>(env, "info"));
  exports.Set("keepFreedMemory", Napi::Function::New<Guarded<KeepFreedMemory>>(env, "keepFreedMemory"));
  exports.Set("cacheSize", Napi::Function::New<Guarded<CacheSize>>(env, "cacheSize"));
  exports.Set("nativeLoops", Napi::Function::New<Guarded<NativeLoopCount>>(env, "nativeLoops"));
  exports.Set("clearCache", Napi::Function::New<Guarded<ClearCache>>(env, "clearCache"));
  exports.Set("abiVersion", Napi::Number::New(env, 11));
  return exports;
}

}  // namespace

NODE_API_MODULE(likeness_onednn, Init)
