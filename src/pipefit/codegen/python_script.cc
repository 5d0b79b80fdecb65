#include "pipefit/codegen/python_script.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstring>
#include <memory>

extern "C" const TSLanguage* tree_sitter_python();

namespace pipefit {
namespace {

struct ParserDeleter {
  void operator()(TSParser* p) const { ts_parser_delete(p); }
};
struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};

bool Is(TSNode node, const char* type) {
  return !ts_node_is_null(node) && std::strcmp(ts_node_type(node), type) == 0;
}

class Builder {
 public:
  explicit Builder(PythonScript& script) : s_(script), src_(script.source) {}

  // What the walk knows about a node's ancestors, computed top-down so no
  // lookup walks back up the tree (tree-sitter's parent lookup is linear in
  // the depth, which made deep inputs cubic).
  struct Context {
    TSNode statement{};  // the enclosing statement that is a child of a module/block
    int scope = 0;       // enclosing function (start byte + 1), 0 at module level
    std::vector<std::pair<size_t, int>> branches;
    int assigned = -1;  // index into targets_ while the chain leads to an assignment
    bool parent_is_attribute = false;
    bool top_level = true;  // directly under the module
  };

  void Walk(TSNode root) {
    std::vector<std::pair<TSNode, Context>> stack;
    stack.push_back({root, Context{}});
    while (!stack.empty()) {
      auto [node, ctx] = std::move(stack.back());
      stack.pop_back();
      Visit(node, ctx);
      const uint32_t n = ts_node_child_count(node);
      for (uint32_t i = n; i > 0; --i) {
        TSNode child = ts_node_child(node, i - 1);
        stack.push_back({child, ChildContext(node, child, i - 1, ctx)});
      }
    }
    std::sort(s_.error_lines.begin(), s_.error_lines.end());
    s_.error_lines.erase(std::unique(s_.error_lines.begin(), s_.error_lines.end()), s_.error_lines.end());
  }

 private:
  std::string Text(TSNode node) const {
    const uint32_t b = ts_node_start_byte(node), e = ts_node_end_byte(node);
    return std::string(src_.substr(b, e - b));
  }
  ByteRange Range(TSNode node) const { return {ts_node_start_byte(node), ts_node_end_byte(node)}; }
  int Line(TSNode node) const { return static_cast<int>(ts_node_start_point(node).row) + 1; }

  void Visit(TSNode node, const Context& ctx) {
    if (Is(node, "ERROR") || ts_node_is_missing(node)) s_.error_lines.push_back(Line(node));
    if (Is(node, "call")) AddCall(node, ctx);
    if (Is(node, "import_from_statement") || Is(node, "import_statement") ||
        Is(node, "future_import_statement")) {
      AddImport(node, ctx);
    }
  }

  Context ChildContext(TSNode parent, TSNode child, uint32_t index, const Context& ctx) {
    Context c;
    c.scope = ctx.scope;
    c.branches = ctx.branches;
    c.top_level = Is(parent, "module");
    c.statement = (Is(parent, "module") || Is(parent, "block")) ? child : ctx.statement;
    if (Is(parent, "function_definition")) c.scope = static_cast<int>(ts_node_start_byte(parent)) + 1;
    if (Is(parent, "if_statement")) {
      int clause = 0;
      for (uint32_t i = 0; i <= index; ++i) {
        TSNode sibling = ts_node_child(parent, i);
        if (Is(sibling, "elif_clause") || Is(sibling, "else_clause")) ++clause;
      }
      if (Is(child, "block")) c.branches.push_back({ts_node_start_byte(parent), 0});
      if (Is(child, "elif_clause") || Is(child, "else_clause"))
        c.branches.push_back({ts_node_start_byte(parent), clause});
    }
    c.parent_is_attribute = Is(parent, "attribute");
    // The assignment target follows the right-hand side down through
    // attribute objects, call functions and parentheses (`x = A.f(...).g()`).
    const char* field = ts_node_field_name_for_child(parent, index);
    const std::string_view f = field == nullptr ? "" : field;
    if (Is(parent, "assignment") && f == "right") {
      targets_.push_back(Text(ts_node_child_by_field_name(parent, "left", 4)));
      c.assigned = static_cast<int>(targets_.size()) - 1;
    } else if ((Is(parent, "attribute") && f == "object") || (Is(parent, "call") && f == "function") ||
               Is(parent, "parenthesized_expression")) {
      c.assigned = ctx.assigned;
    }
    return c;
  }

  // Whole lines (from the start of the statement's first line to after the
  // newline ending its last line) when the statement has its lines to
  // itself; otherwise (`a(); b()`) the statement with its `;` separator.
  void StatementRange(TSNode statement, Call& call) const {
    const size_t begin = ts_node_start_byte(statement);
    size_t line_start = begin;
    while (line_start > 0 && src_[line_start - 1] != '\n') --line_start;
    size_t indent_end = line_start;
    while (indent_end < src_.size() && (src_[indent_end] == ' ' || src_[indent_end] == '\t')) ++indent_end;
    call.indent = std::string(src_.substr(line_start, indent_end - line_start));
    const size_t end = ts_node_end_byte(statement);
    size_t line_end = end;
    while (line_end < src_.size() && src_[line_end] != '\n') ++line_end;
    const std::string_view tail = src_.substr(end, line_end - end);
    const size_t tail_text = tail.find_first_not_of(" \t\r");
    const bool alone_after = tail_text == std::string_view::npos || tail[tail_text] == '#';
    if (indent_end == begin && alone_after) {
      call.statement = {line_start, line_end < src_.size() ? line_end + 1 : line_end};
      return;
    }
    size_t b = begin, e = end;
    size_t after = e;
    while (after < line_end && (src_[after] == ' ' || src_[after] == '\t')) ++after;
    if (after < line_end && src_[after] == ';') {
      e = after + 1;
      while (e < line_end && (src_[e] == ' ' || src_[e] == '\t')) ++e;
    } else {
      size_t before = b;
      while (before > line_start && (src_[before - 1] == ' ' || src_[before - 1] == '\t')) --before;
      if (before > line_start && src_[before - 1] == ';') b = before - 1;
      // Keep a trailing comment on the line out of the statement.
      e = end;
    }
    call.statement = {b, e};
  }

  std::optional<std::string> StringValue(TSNode value) const {
    if (!Is(value, "string")) return std::nullopt;
    const std::string text = Text(value);
    for (uint32_t i = 0; i < ts_node_named_child_count(value); ++i) {
      if (Is(ts_node_named_child(value, i), "interpolation")) return std::nullopt;
    }
    if (text.size() < 2 || (text.front() != '"' && text.front() != '\'')) return std::nullopt;
    const size_t quote = text.size() >= 6 && text.compare(0, 3, std::string(3, text.front())) == 0 ? 3 : 1;
    if (text.size() < 2 * quote) return std::nullopt;
    return text.substr(quote, text.size() - 2 * quote);
  }

  void AddArguments(TSNode list, Call& call) const {
    for (uint32_t i = 0; i < ts_node_named_child_count(list); ++i) {
      TSNode child = ts_node_named_child(list, i);
      if (Is(child, "comment")) continue;
      Argument arg;
      arg.range = Range(child);
      TSNode value = child;
      if (Is(child, "keyword_argument")) {
        arg.keyword = Text(ts_node_child_by_field_name(child, "name", 4));
        value = ts_node_child_by_field_name(child, "value", 5);
        if (ts_node_is_null(value)) continue;
      }
      arg.text = Text(value);
      arg.value = Range(value);
      arg.string_value = StringValue(value);
      call.args.push_back(std::move(arg));
    }
  }

  void AddCall(TSNode node, const Context& ctx) {
    Call call;
    TSNode function = ts_node_child_by_field_name(node, "function", 8);
    TSNode arguments = ts_node_child_by_field_name(node, "arguments", 9);
    if (ts_node_is_null(function)) return;
    call.callee = Text(function);
    if (Is(function, "attribute")) {
      call.receiver = Text(ts_node_child_by_field_name(function, "object", 6));
      call.method = Text(ts_node_child_by_field_name(function, "attribute", 9));
    } else {
      call.method = call.callee;
    }
    if (!ts_node_is_null(arguments) && Is(arguments, "argument_list")) {
      call.arguments = Range(arguments);
      AddArguments(arguments, call);
    }
    call.range = Range(node);
    call.line = Line(node);
    StatementRange(ts_node_is_null(ctx.statement) ? node : ctx.statement, call);
    if (ctx.assigned >= 0) call.assigned_to = targets_[static_cast<size_t>(ctx.assigned)];
    call.scope = ctx.scope;
    call.branches = ctx.branches;
    call.in_chain = ctx.parent_is_attribute;
    s_.calls.push_back(std::move(call));
  }

  void AddImport(TSNode node, const Context& ctx) {
    Import imp;
    imp.line = Line(node);
    imp.scope = ctx.scope;
    Call range_holder;
    StatementRange(ts_node_is_null(ctx.statement) ? node : ctx.statement, range_holder);
    imp.statement = range_holder.statement;
    if (Is(node, "import_from_statement"))
      imp.module = Text(ts_node_child_by_field_name(node, "module_name", 11));
    if (Is(node, "future_import_statement")) imp.module = "__future__";
    for (uint32_t i = 0; i < ts_node_named_child_count(node); ++i) {
      TSNode child = ts_node_named_child(node, i);
      if (Is(child, "wildcard_import")) imp.star = true;
      if (ts_node_eq(child, ts_node_child_by_field_name(node, "module_name", 11))) continue;
      if (Is(child, "dotted_name")) imp.names.push_back(Text(child));
      if (Is(child, "aliased_import")) {
        imp.names.push_back(Text(ts_node_child_by_field_name(child, "name", 4)));
        imp.aliases.push_back({Text(ts_node_child_by_field_name(child, "alias", 5)), imp.names.back()});
      }
      if (Is(child, "dotted_name") || Is(child, "aliased_import")) imp.names_end = ts_node_end_byte(child);
    }
    if (imp.scope == 0 && ctx.top_level)
      s_.import_insert_at = std::max(s_.import_insert_at, imp.statement.end);
    s_.imports.push_back(std::move(imp));
  }

  PythonScript& s_;
  std::string_view src_;
  std::vector<std::string> targets_;  // assignment targets seen so far
};

}  // namespace

bool MutuallyExclusive(const Call& a, const Call& b) {
  for (const auto& [if_a, branch_a] : a.branches) {
    for (const auto& [if_b, branch_b] : b.branches) {
      if (if_a == if_b && branch_a != branch_b) return true;
    }
  }
  return false;
}

int LineOf(std::string_view source, size_t offset) {
  offset = std::min(offset, source.size());
  return 1 + static_cast<int>(std::count(source.begin(), source.begin() + static_cast<long>(offset), '\n'));
}

Result<PythonScript> ParsePythonScript(std::string_view source) {
  if (source.size() > kMaxScriptBytes) {
    return MakeErrorf(ErrorCode::kLimit, "script is {} bytes; pipefit reads scripts up to {} bytes",
                      source.size(), kMaxScriptBytes);
  }
  if (source.find('\0') != std::string_view::npos) {
    return MakeErrorf(ErrorCode::kMalformed, "not a text file (contains a NUL byte)");
  }
  PythonScript script;
  script.source = std::string(source);
  std::unique_ptr<TSParser, ParserDeleter> parser(ts_parser_new());
  if (!ts_parser_set_language(parser.get(), tree_sitter_python())) {
    return MakeErrorf(ErrorCode::kUnsupported,
                      "tree-sitter Python grammar ABI does not match libtree-sitter");
  }
  // Bounded: a pathological input gives up instead of hanging.
  ts_parser_set_timeout_micros(parser.get(), 5'000'000);
  std::unique_ptr<TSTree, TreeDeleter> tree(ts_parser_parse_string(
      parser.get(), nullptr, script.source.data(), static_cast<uint32_t>(script.source.size())));
  if (!tree) return MakeErrorf(ErrorCode::kLimit, "parsing took longer than 5 s");
  Builder(script).Walk(ts_tree_root_node(tree.get()));
  return script;
}

}  // namespace pipefit
