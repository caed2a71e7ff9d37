" Vim syntax file
" Language:    pmufc policy (KVM PMU event filter), see pmufc.policy(5)
" Filenames:   *.pmufc, and *.pf files that look like policies (ftdetect)
"
" Installed into $(datadir)/vim/vimfiles/syntax. Highlights keywords,
" numbers (hex 0x, binary 0b, decimal) and malformed ones, ranges and sets,
" '*', strings, comments, event names after `event` and CPU models after
" `cpu`; a word the language does not know is shown as an error.

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
" Words are letters, digits and '_': '-' separates ranges (0x10-0x1f) and
" '.' never stands alone; names with them are matched after event/cpu.
syn iskeyword @,48-57,_

" Lowest priority first: any other word is something the scanner rejects
" or the parser does not expect.
syn match   pmufcUnknown    "\<[A-Za-z_][A-Za-z0-9_]*\>"

syn keyword pmufcAction     allow deny
syn keyword pmufcStatement  default target expect
syn keyword pmufcInclude    include
syn keyword pmufcScope      x86 intel amd arm arm64
syn keyword pmufcKind       fixed raw
syn keyword pmufcField      select umask mask match

" event NAME (BR_INST_RETIRED.ALL_BRANCHES, ref-cycles, ex_ret_brn) and
" cpu MODEL (skylake, neoverse-n1, GenuineIntel-6-8E).
syn keyword pmufcEvent      event nextgroup=pmufcEventName skipwhite skipnl skipempty
syn match   pmufcEventName  contained "[A-Za-z_][A-Za-z0-9_.-]*"
syn keyword pmufcCpu        cpu nextgroup=pmufcModel skipwhite skipnl skipempty
syn match   pmufcModel      contained "[A-Za-z_][A-Za-z0-9_.-]*"

" Numbers: a digit run the scanner cannot read (0b102, 12ab, 0x) is an
" error; the valid forms are defined after it and win where they match.
syn match   pmufcBadNumber  "\<\d[0-9A-Za-z_]*\>"
syn match   pmufcNumber     "\<\d\+\>"
syn match   pmufcNumber     "\<0[xX]\x\+\>"
syn match   pmufcNumber     "\<0[bB][01]\+\>"

" Sets: * (every value), N-M ranges, { a, b-c }.
syn match   pmufcStar       "\*"
syn match   pmufcRange      "-"
syn match   pmufcOperator   "="
syn match   pmufcDelimiter  "[{},;]"

" include "FILE"; a string must end on its line.
syn match   pmufcBadString  +"[^"]*$+
syn match   pmufcString     +"[^"]*"+

syn keyword pmufcTodo       contained TODO FIXME XXX NOTE
syn match   pmufcComment    "#.*$" contains=pmufcTodo,@Spell

hi def link pmufcUnknown    Error
hi def link pmufcAction     Statement
hi def link pmufcStatement  Keyword
hi def link pmufcInclude    Include
hi def link pmufcScope      Type
hi def link pmufcKind       Keyword
hi def link pmufcField      Identifier
hi def link pmufcEvent      Keyword
hi def link pmufcEventName  Function
hi def link pmufcCpu        Keyword
hi def link pmufcModel      Constant
hi def link pmufcBadNumber  Error
hi def link pmufcNumber     Number
hi def link pmufcStar       Special
hi def link pmufcRange      Operator
hi def link pmufcOperator   Operator
hi def link pmufcDelimiter  Delimiter
hi def link pmufcBadString  Error
hi def link pmufcString     String
hi def link pmufcTodo       Todo
hi def link pmufcComment    Comment

let b:current_syntax = "pmufc"

let &cpo = s:cpo_save
unlet s:cpo_save
