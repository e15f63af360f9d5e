#include "focusmeter_model_object.h"

namespace {

// GBoxed hands out and takes back plain pointers: the copy is a new heap
// shared_ptr (one more reference to the same immutable Model), released by
// the free function.
gpointer model_copy(gpointer boxed) {
  return std::make_unique<FocusmeterModel>(*static_cast<const FocusmeterModel*>(boxed)).release();
}

void model_free(gpointer boxed) { std::unique_ptr<FocusmeterModel>(static_cast<FocusmeterModel*>(boxed)); }

}  // namespace

GType focusmeter_model_get_type(void) {
  static gsize type = 0;
  if (g_once_init_enter(&type)) {
    const GType t = g_boxed_type_register_static("FocusmeterModel", model_copy, model_free);
    g_once_init_leave(&type, t);
  }
  return type;
}
