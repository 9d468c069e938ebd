import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callToolText, startTestServer } from '../../helpers/team-server.ts';

/** The files `ctx_graph impact` lists for a path, one hop or more. */
async function dependents(srv: Awaited<ReturnType<typeof startTestServer>>, path: string): Promise<string[]> {
  const text = await callToolText(srv, 'alice', 'ctx_graph', { action: 'impact', path });
  return [...text.matchAll(/^ {2}(\S+) \(\d+ hops?\)$/gm)].map((m) => m[1]!).sort();
}

test('imports resolve to files in Ruby, C/C++, Java, C#, PHP (PSR-4) and Rust workspaces', async () => {
  const srv = await startTestServer({
    files: {
      // Ruby: require_relative beside the file, require from lib/
      'lib/shop/cart.rb':
        "require_relative 'price'\nrequire 'shop/tax'\n\nclass Cart\n  def total = Price.new.sum\nend\n",
      'lib/shop/price.rb': 'class Price\n  def sum = 1\nend\n',
      'lib/shop/tax.rb': 'module Tax\nend\n',
      // C/C++: a quoted include beside the file, and one through compile_commands.json -I
      'src/main.c':
        '#include "util.h"\n#include "net/socket.h"\n#include <stdio.h>\nint main(void) { return util(); }\n',
      'src/util.h': 'int util(void);\n',
      'third_party/net/socket.h': 'int sock(void);\n',
      'compile_commands.json': JSON.stringify([
        { directory: '.', command: 'cc -Ithird_party -c src/main.c', file: 'src/main.c' },
      ]),
      // Java: a package is a directory under a source root
      'app/src/main/java/com/acme/billing/Invoice.java':
        'package com.acme.billing;\n\nimport com.acme.core.Money;\n\npublic class Invoice {\n  Money total;\n}\n',
      'core/src/main/java/com/acme/core/Money.java': 'package com.acme.core;\n\npublic class Money {}\n',
      // C#: a namespace is a folder by convention
      'Acme/Orders/Order.cs': 'using Acme.Pricing;\n\nnamespace Acme.Orders {\n  public class Order {}\n}\n',
      'Acme/Pricing/Price.cs': 'namespace Acme.Pricing {\n  public class Price {}\n}\n',
      // PHP: PSR-4 prefixes from composer.json
      'composer.json': JSON.stringify({ autoload: { 'psr-4': { 'App\\': 'src/php/' } } }),
      'src/php/Http/Kernel.php': '<?php\nnamespace App\\Http;\n\nuse App\\Support\\Str;\n\nclass Kernel {}\n',
      'src/php/Support/Str.php': '<?php\nnamespace App\\Support;\n\nclass Str {}\n',
      // Rust: mod declarations and use crate:: / super::
      'crate/src/lib.rs': 'mod parser;\npub mod lexer;\n',
      'crate/src/parser.rs': 'use crate::lexer::token::Token;\n\npub fn parse() {}\n',
      'crate/src/lexer/mod.rs': 'pub mod token;\n',
      'crate/src/lexer/token.rs': 'use super::super::parser::parse;\n\npub struct Token;\n',
    },
  });
  try {
    let status = await callToolText(srv, 'alice', 'ctx_index', { action: 'build' });
    while (status.includes('build running'))
      status = await callToolText(srv, 'alice', 'ctx_index', { action: 'build' });
    assert.deepEqual(await dependents(srv, 'lib/shop/price.rb'), ['lib/shop/cart.rb']);
    assert.deepEqual(await dependents(srv, 'lib/shop/tax.rb'), ['lib/shop/cart.rb']);
    assert.deepEqual(await dependents(srv, 'src/util.h'), ['src/main.c']);
    assert.deepEqual(await dependents(srv, 'third_party/net/socket.h'), ['src/main.c']);
    assert.deepEqual(await dependents(srv, 'core/src/main/java/com/acme/core/Money.java'), [
      'app/src/main/java/com/acme/billing/Invoice.java',
    ]);
    assert.deepEqual(await dependents(srv, 'Acme/Pricing/Price.cs'), ['Acme/Orders/Order.cs']);
    assert.deepEqual(await dependents(srv, 'src/php/Support/Str.php'), ['src/php/Http/Kernel.php']);
    // token.rs ← lexer/mod.rs ← lib.rs, and parser.rs uses it; parser.rs ← lib.rs and token.rs (super::super)
    assert.deepEqual(await dependents(srv, 'crate/src/lexer/token.rs'), [
      'crate/src/lexer/mod.rs',
      'crate/src/lib.rs',
      'crate/src/parser.rs',
    ]);
    const related = await callToolText(srv, 'alice', 'ctx_graph', {
      action: 'related',
      path: 'crate/src/lexer/token.rs',
      depth: 1,
    });
    assert.match(related, /crate\/src\/parser\.rs \(1 hop\)/);
  } finally {
    await srv.close();
  }
});
