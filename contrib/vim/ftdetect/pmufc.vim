" Vim file type detection for pmufc policies (pmufc.policy(5)).
"
" Installed into $(datadir)/vim/vimfiles/ftdetect. *.pmufc is always a
" policy. *.pf is pmufc's usual extension but not only pmufc's, so a .pf
" file becomes a policy only when its first statement looks like one:
" the first line that is neither blank nor a # comment starts with
" allow, deny, default, target, cpu or include.

au BufRead,BufNewFile *.pmufc setfiletype pmufc
au BufRead,BufNewFile *.pf    call s:PmufcDetect()

function! s:PmufcDetect() abort
  " Policies often open with a long header comment: look well past it.
  let n = min([line('$'), 200])
  for lnum in range(1, n)
    let line = getline(lnum)
    if line =~ '^\s*\%(#.*\)\=$'
      continue
    endif
    if line =~# '^\s*\%(allow\|deny\|default\|target\|cpu\|include\)\>'
      setfiletype pmufc
    endif
    return
  endfor
endfunction
